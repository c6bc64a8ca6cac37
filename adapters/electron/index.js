// @ts-check
'use strict';

// @sessctl/electron: applies the session profiles sessctl writes to an
// Electron app's sessions, follows updates and reports what it applied.
// No runtime dependencies; Electron's `session` module is passed in.
//
//   const { app, session } = require('electron');
//   const sessctl = require('@sessctl/electron');
//   app.whenReady().then(async () => {
//     const adapter = await sessctl.start({ dir: '/etc/myapp/sessions', session });
//     adapter.on('problem', (msg) => console.warn('sessctl:', msg));
//   });
//
// See docs/electron-adapter.md.

const { Adapter, ADAPTER_VERSION } = require('./lib/adapter');
const decide = require('./lib/decide');
const { FIELD_ORDER } = require('./lib/apply');
const { STATUS_DIR } = require('./lib/status');
const { FORMAT_VERSION } = require('./lib/profile');

/**
 * Creates an adapter, applies every profile of `options.dir` once, then
 * follows the directory. Resolves with the adapter after the first sync.
 * @param {import('./lib/adapter').AdapterOptions} options
 * @returns {Promise<InstanceType<typeof Adapter>>}
 */
async function start(options) {
  const adapter = new Adapter(options);
  await adapter.sync();
  return adapter.watch();
}

/**
 * Applies every profile of `options.dir` once, without following updates.
 * @param {import('./lib/adapter').AdapterOptions} options
 * @returns {Promise<import('./lib/adapter').SyncResult>}
 */
async function applyOnce(options) {
  const adapter = new Adapter(options);
  try {
    return await adapter.sync();
  } finally {
    adapter.close();
  }
}

module.exports = {
  start,
  applyOnce,
  Adapter,
  FIELD_ORDER,
  STATUS_DIR,
  FORMAT_VERSION,
  ADAPTER_VERSION,
  decidePermission: decide.decidePermission,
  verifyCertificate: decide.verifyCertificate,
  selectSerialPort: decide.selectSerialPort,
};
