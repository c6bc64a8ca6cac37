// @ts-check
'use strict';

// The displayMedia entry: the handler it installs with
// setDisplayMediaRequestHandler, how it lists sources with the injected
// desktopCapturer, its events, and what it does without a capturer, with a
// table it cannot read, and when the field leaves the profile.

const { it, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');

const { Adapter } = require('..');
const { FakeSessionModule, FakeDesktopCapturer } = require('./fake-session');
const { writeDir, tempDir, readStatus } = require('./helpers');

/** @type {Array<() => void>} */
const cleanup = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

const ORIGIN = { source: 'https://meet.corp.example', scheme: 'https', host: 'meet.corp.example', subdomains: false, port: '*' };
const TABLE = {
  formatVersion: 1, useSystemPicker: false,
  rules: [
    { name: 'meet', decision: 'allow', origins: [ORIGIN], screens: [], windows: ['*Slides*'], audio: true },
    { name: 'rest', decision: 'deny', origins: null, screens: [], windows: [], audio: false },
  ],
};
const SOURCES = [
  { id: 'screen:1:0', name: 'Screen 1' },
  { id: 'window:7:0', name: 'Mail' },
  { id: 'window:8:0', name: 'Team Slides' },
];

/**
 * @param {Record<string, unknown>} fields
 * @param {InstanceType<typeof FakeDesktopCapturer>|null} capturer
 */
async function setup(fields, capturer) {
  const dir = tempDir();
  writeDir(dir, [{ partition: 'persist:d', revision: 1, fields }]);
  const mod = new FakeSessionModule();
  const adapter = new Adapter({ dir, session: mod, ...(capturer ? { desktopCapturer: capturer } : {}) });
  cleanup.push(() => {
    adapter.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await adapter.sync();
  return { dir, ses: mod.get('persist:d'), adapter };
}

/**
 * Calls the installed handler as Electron does and waits for its answer.
 * @param {any} ses
 * @param {string} origin
 * @param {boolean} audioRequested
 * @returns {Promise<Electron.Streams|null>}
 */
function ask(ses, origin, audioRequested) {
  return new Promise((resolve) => {
    ses.displayMediaHandler({ securityOrigin: origin, audioRequested, videoRequested: true, userGesture: true, frame: null }, resolve);
  });
}

it('installs the handler with useSystemPicker, lists only the types the rule grants, without thumbnails', async () => {
  const capturer = new FakeDesktopCapturer(SOURCES);
  const { ses, adapter } = await setup({ displayMedia: { ...TABLE, useSystemPicker: true } }, capturer);
  assert.deepEqual(adapter.status('persist:d')?.errors, []);
  assert.deepEqual(ses.calls.filter((c) => c.method === 'setDisplayMediaRequestHandler').map((c) => c.args),
    [['function', { useSystemPicker: true }]]);
  const got = await ask(ses, 'https://meet.corp.example', true);
  assert.deepEqual(capturer.calls, [{ types: ['window'], thumbnailSize: { width: 0, height: 0 } }]);
  assert.equal(/** @type {any} */ (got?.video).id, 'window:8:0');
  assert.equal(got?.audio, 'loopback');
  const noAudio = await ask(ses, 'https://meet.corp.example', false);
  assert.equal(noAudio?.audio, undefined, 'no audio unless the page asked');
});

it('denies with callback(null) without listing sources when a deny rule decides, and records every decision', async () => {
  const capturer = new FakeDesktopCapturer(SOURCES);
  const { dir, ses, adapter } = await setup({ displayMedia: TABLE }, capturer);
  assert.equal(await ask(ses, 'https://other.example', true), null);
  assert.deepEqual(capturer.calls, []);
  await ask(ses, 'https://meet.corp.example', false);
  capturer.sources = [SOURCES[1]];
  assert.equal(await ask(ses, 'https://meet.corp.example', false), null);
  await adapter.flush();
  const st = readStatus(dir, 'persist:d');
  assert.deepEqual(st.events.recent.map((/** @type {any} */ e) => [e.event, e.details]), [
    ['display-media-request', { origin: 'https://other.example', rule: 'rest', decision: 'deny-rule', allow: false, source_id: null, source_name: null, audio: null, audio_requested: true, sources: [] }],
    ['display-media-request', { origin: 'https://meet.corp.example', rule: 'meet', decision: 'rule', allow: true, source_id: 'window:8:0', source_name: 'Team Slides', audio: null, audio_requested: false, sources: ['window:Mail', 'window:Team Slides'] }],
    ['display-media-request', { origin: 'https://meet.corp.example', rule: 'meet', decision: 'no-source', allow: false, source_id: null, source_name: null, audio: null, audio_requested: false, sources: ['window:Mail'] }],
  ]);
  assert.equal(st.events.counts['display-media-request'], 3);
});

it('denies when getSources rejects, and records an error', async () => {
  const capturer = new FakeDesktopCapturer(SOURCES);
  capturer.failure = new Error('screen capture not permitted');
  const { dir, ses, adapter } = await setup({ displayMedia: TABLE }, capturer);
  assert.equal(await ask(ses, 'https://meet.corp.example', false), null);
  await adapter.flush();
  const st = readStatus(dir, 'persist:d');
  assert.equal(st.events.recent[0].details.decision, 'error');
  assert.equal(st.events.recent[0].details.rule, 'meet');
});

it('without options.desktopCapturer: a field error, and a handler that denies', async () => {
  const { ses, adapter } = await setup({ displayMedia: TABLE }, null);
  const errs = adapter.status('persist:d')?.errors || [];
  assert.equal(errs.length, 1);
  assert.match(errs[0].message, /options\.desktopCapturer/);
  assert.equal(await ask(ses, 'https://meet.corp.example', false), null);
});

it('refuses a table it cannot read, and installs nothing on a first apply', async () => {
  for (const bad of [
    { ...TABLE, formatVersion: 2 },
    { ...TABLE, rules: [{ ...TABLE.rules[0], screens: 'all' }] },
    { ...TABLE, rules: [{ ...TABLE.rules[0], processes: ['x'] }] },
    { ...TABLE, rules: [{ ...TABLE.rules[0], origins: [{ host: 'x' }] }] },
    { ...TABLE, useSystemPicker: 'yes' },
  ]) {
    const { ses, adapter } = await setup({ displayMedia: bad }, new FakeDesktopCapturer(SOURCES));
    const errs = adapter.status('persist:d')?.errors || [];
    assert.equal(errs.length, 1, JSON.stringify(bad));
    assert.equal(errs[0].field, 'displayMedia');
    assert.equal(ses.displayMediaHandler, null);
  }
});

it('removes its handler when the field leaves the profile', async () => {
  const { dir, ses, adapter } = await setup({ displayMedia: TABLE }, new FakeDesktopCapturer(SOURCES));
  writeDir(dir, [{ partition: 'persist:d', revision: 2, fields: {} }]);
  await adapter.sync();
  assert.deepEqual(ses.calls.filter((c) => c.method === 'setDisplayMediaRequestHandler').map((c) => c.args), [['function', { useSystemPicker: false }], [null]]);
  assert.equal(ses.displayMediaHandler, null);
});
