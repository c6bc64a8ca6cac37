// @ts-check
'use strict';

// Session events and read-backs reach the status file (docs/electron-adapter.md
// "Events" and "Read-backs"): every event of lib/events.js driven through the
// fake session, the bounds, the serial chooser's decision, every getter of
// lib/readback.js, getters that throw, and the periodic read.

const { it, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');

const { Adapter } = require('..');
const { EVENT_NAMES, MAX_STRING } = require('../lib/events');
const { READBACK_MEMBERS, MAX_WORDS } = require('../lib/readback');
const { FakeSessionModule, OBSERVED } = require('./fake-session');
const { writeDir, tempDir, readStatus } = require('./helpers');

/** @type {Array<() => void>} */
const cleanup = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

/**
 * An adapter that applied one partition to a fresh fake.
 * @param {Record<string, unknown>} fields
 * @param {Partial<import('../lib/adapter').AdapterOptions>} [options]
 * @param {(m: InstanceType<typeof FakeSessionModule>) => void} [prepare]
 */
async function setup(fields, options = {}, prepare) {
  const dir = tempDir();
  writeDir(dir, [{ partition: 'persist:e', revision: 1, fields }]);
  const mod = new FakeSessionModule();
  if (prepare) prepare(mod);
  const adapter = new Adapter({ dir, session: mod, ...options });
  cleanup.push(() => {
    adapter.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await adapter.sync();
  return { dir, mod, ses: mod.get('persist:e'), adapter };
}

/**
 * Waits for a promise while keeping the process alive: the adapter's
 * timers are unref'd, as they must be in an app.
 * @template T
 * @param {Promise<T>} p
 * @returns {Promise<T>}
 */
async function keepAlive(p) {
  const t = setInterval(() => {}, 1000);
  try {
    return await p;
  } finally {
    clearInterval(t);
  }
}

const EXT = { id: 'pafcpbhmbnddocoeepgeoifhhoamcjbp', name: 'DevTools', version: '1.0.0', path: '/opt/ext/devtools', url: 'chrome-extension://x/', manifest: {}, dynamicId: 'd' };
const PORT = { portId: '7', portName: 'ttyACM0', displayName: 'Arduino Uno', vendorId: '2341', productId: '0043', serialNumber: '7583' };

it('every session event the adapter observes is recorded in the status file, with its arguments', async () => {
  const { dir, ses, adapter } = await setup({ userAgent: 'A' });
  assert.deepEqual([...ses.subscriptions].sort(), [...OBSERVED].sort(), 'the adapter listens to every observed event');
  assert.deepEqual(EVENT_NAMES.filter((n) => !OBSERVED.has(n)), ['select-serial-port', 'display-media-request', 'preload-error'],
    'only the chooser and the WebContents event are recorded elsewhere');

  const item = {
    getURL: () => 'https://files.corp.example/report.pdf', getFilename: () => 'report.pdf',
    getMimeType: () => 'application/pdf', getTotalBytes: () => 1234,
  };
  ses.emit('will-download', item, {});
  ses.emit('extension-loaded', EXT);
  ses.emit('extension-ready', EXT);
  ses.emit('extension-unloaded', EXT);
  ses.emit('preconnect', 'https://cdn.corp.example/', true);
  ses.emit('spellcheck-dictionary-download-begin', 'fr');
  ses.emit('spellcheck-dictionary-download-failure', 'fr');
  ses.emit('spellcheck-dictionary-download-success', 'de');
  ses.emit('spellcheck-dictionary-initialized', 'de');
  ses.emit('serial-port-added', PORT, {});
  ses.emit('serial-port-removed', PORT, {});
  ses.emit('serial-port-revoked', { port: PORT, frame: null, origin: 'https://boards.corp.example' });
  const HID = { deviceId: 'h1', name: 'YubiKey', vendorId: 4176, productId: 1031, collections: [] };
  ses.emit('hid-device-added', { device: HID, frame: null });
  ses.emit('hid-device-removed', { device: HID, frame: null });
  ses.emit('hid-device-revoked', { device: HID, origin: 'https://keys.corp.example' });
  const USB = { deviceId: 'u1', productName: 'Scanner', manufacturerName: 'ACME', vendorId: 1234, productId: 5678, serialNumber: 'S1' };
  ses.emit('usb-device-added', USB, {});
  ses.emit('usb-device-removed', USB, {});
  ses.emit('usb-device-revoked', { device: USB, origin: 'https://scan.corp.example' });
  await adapter.flush();

  const st = readStatus(dir, 'persist:e');
  const ext = { id: EXT.id, name: 'DevTools', version: '1.0.0', path: '/opt/ext/devtools' };
  const hid = { device_id: 'h1', name: 'YubiKey', vendor_id: 4176, product_id: 1031, serial_number: null };
  const usb = { device_id: 'u1', product_name: 'Scanner', manufacturer_name: 'ACME', vendor_id: 1234, product_id: 5678, serial_number: 'S1' };
  const port = { port_id: '7', port_name: 'ttyACM0', display_name: 'Arduino Uno', vendor_id: '2341', product_id: '0043', serial_number: '7583' };
  assert.deepEqual(st.events.recent.map((/** @type {any} */ e) => [e.seq, e.event, e.details]), [
    [1, 'will-download', { url: 'https://files.corp.example/report.pdf', filename: 'report.pdf', mime_type: 'application/pdf', total_bytes: 1234 }],
    [2, 'extension-loaded', ext],
    [3, 'extension-ready', ext],
    [4, 'extension-unloaded', ext],
    [5, 'preconnect', { url: 'https://cdn.corp.example/', allow_credentials: true }],
    [6, 'spellcheck-dictionary-download-begin', { language: 'fr' }],
    [7, 'spellcheck-dictionary-download-failure', { language: 'fr' }],
    [8, 'spellcheck-dictionary-download-success', { language: 'de' }],
    [9, 'spellcheck-dictionary-initialized', { language: 'de' }],
    [10, 'serial-port-added', port],
    [11, 'serial-port-removed', port],
    [12, 'serial-port-revoked', { ...port, origin: 'https://boards.corp.example' }],
    [13, 'hid-device-added', hid],
    [14, 'hid-device-removed', hid],
    [15, 'hid-device-revoked', { ...hid, origin: 'https://keys.corp.example' }],
    [16, 'usb-device-added', usb],
    [17, 'usb-device-removed', usb],
    [18, 'usb-device-revoked', { ...usb, origin: 'https://scan.corp.example' }],
  ]);
  for (const e of st.events.recent) assert.match(e.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.deepEqual(Object.keys(st.events.counts), [...EVENT_NAMES]);
  assert.equal(st.events.counts['extension-loaded'], 1);
  assert.equal(st.events.counts['select-serial-port'], 0);
  assert.equal(st.events.total, 18);
  assert.equal(st.events.dropped, 0);
  assert.equal(st.events.limit, 50);
  // The listeners only observe: nothing prevented the download.
  assert.equal(ses.emit('will-download', item, {}).defaultPrevented, false);
});

it('the log keeps counts of everything and the last eventLimit entries; strings and lists are cut', async () => {
  const { dir, ses, adapter } = await setup({}, { eventLimit: 3 });
  const long = 'https://x.example/' + 'a'.repeat(5000);
  for (let i = 0; i < 5; i++) ses.emit('preconnect', `https://h${i}.example/`, false);
  ses.emit('preconnect', long, false);
  await adapter.flush();
  const st = readStatus(dir, 'persist:e');
  assert.equal(st.events.limit, 3);
  assert.equal(st.events.total, 6);
  assert.equal(st.events.dropped, 3);
  assert.equal(st.events.counts.preconnect, 6);
  assert.deepEqual(st.events.recent.map((/** @type {any} */ e) => e.seq), [4, 5, 6]);
  const url = st.events.recent[2].details.url;
  assert.equal(url.length, MAX_STRING);
  assert.ok(url.endsWith('…'));

  // eventLimit 0: counts only.
  const z = await setup({}, { eventLimit: 0 });
  z.ses.emit('spellcheck-dictionary-download-failure', 'fr');
  await z.adapter.flush();
  const zs = readStatus(z.dir, 'persist:e');
  assert.deepEqual(zs.events.recent, []);
  assert.equal(zs.events.counts['spellcheck-dictionary-download-failure'], 1);
  // Out-of-range limits are clamped.
  const big = await setup({}, { eventLimit: 1e9 });
  assert.equal(readStatus(big.dir, 'persist:e').events.limit, 1000);
});

it('arguments whose getters throw or are not what electron.d.ts says are recorded as null or text, never thrown', async () => {
  const { dir, ses, adapter } = await setup({});
  const boom = () => {
    throw new Error('object has been destroyed');
  };
  ses.emit('will-download', { getURL: boom, getFilename: () => 'x', getMimeType: boom, getTotalBytes: () => Infinity }, {});
  ses.emit('extension-loaded', { get id() { return boom(); }, name: 7, version: null, path: undefined });
  ses.emit('serial-port-added', {}, {});
  ses.emit('spellcheck-dictionary-download-failure', { toString: () => 'fr' });
  await adapter.flush();
  const st = readStatus(dir, 'persist:e');
  assert.deepEqual(st.events.recent.map((/** @type {any} */ e) => e.details), [
    { url: null, filename: 'x', mime_type: null, total_bytes: null },
    { id: null, name: 7, version: null, path: '' },
    { port_id: '', port_name: '', display_name: null, vendor_id: null, product_id: null, serial_number: null },
    { language: 'fr' },
  ]);
});

it('preload-error of an observed WebContents is recorded for the partition of its session', async () => {
  const { dir, mod, ses, adapter } = await setup({});
  /** @type {Array<(...a: any[]) => void>} */
  const listeners = [];
  const wc = { session: ses, on: (/** @type {string} */ ev, /** @type {(...a: any[]) => void} */ l) => { assert.equal(ev, 'preload-error'); listeners.push(l); } };
  const other = { session: mod.fromPartition('persist:not-managed'), on: wc.on };
  adapter.observeWebContents(wc).observeWebContents(other);
  assert.equal(listeners.length, 2);
  listeners[0]({}, '/opt/preload/telemetry.js', new Error('Unexpected token'));
  listeners[1]({}, '/elsewhere.js', new Error('ignored: not a managed session'));
  await adapter.flush();
  const st = readStatus(dir, 'persist:e');
  assert.deepEqual(st.events.recent.map((/** @type {any} */ e) => [e.event, e.details]), [
    ['preload-error', { path: '/opt/preload/telemetry.js', message: 'Unexpected token' }],
  ]);
  assert.equal(st.events.counts['preload-error'], 1);
});

it('select-serial-port: which rule of serialRules chose which port, or that none matched', async () => {
  const serialRules = {
    formatVersion: 1,
    rules: [{ vendorId: 'ffff' }, { vendorId: '2341', productId: '0043' }],
  };
  const { dir, ses, adapter } = await setup({ serialRules });
  /** @type {string[]} */
  const answers = [];
  const other = { ...PORT, portId: '9', portName: 'ttyUSB0', vendorId: '10c4' };
  ses.emit('select-serial-port', [other, PORT], {}, (/** @type {string} */ id) => answers.push(id));
  ses.emit('select-serial-port', [other], {}, (/** @type {string} */ id) => answers.push(id));
  await adapter.flush();
  assert.deepEqual(answers, ['7', '']);
  const st = readStatus(dir, 'persist:e');
  assert.deepEqual(st.events.recent.map((/** @type {any} */ e) => [e.event, e.details]), [
    ['select-serial-port', { port_id: '7', port_name: 'ttyACM0', rule: 1, decision: 'rule', ports: ['ttyUSB0', 'ttyACM0'] }],
    ['select-serial-port', { port_id: '', port_name: null, rule: null, decision: 'no-match', ports: ['ttyUSB0'] }],
  ]);
  assert.equal(st.events.counts['select-serial-port'], 2);
});

it('will-download: a downloads table records one entry per download, with its decision', async () => {
  const downloads = {
    formatVersion: 1, directory: '/srv/dl', ask: false, maxSize: 0,
    allowedExtensions: null, blockedExtensions: ['exe'], allowedMimeTypes: null, blockedMimeTypes: null,
    allowedOrigins: null, blockedOrigins: null,
  };
  const { dir, ses, adapter } = await setup({ downloads });
  /** @type {any[][]} */
  const calls = [];
  /** @param {string} filename */
  const item = (filename) => ({
    getURL: () => 'https://files.corp.example/x', getFilename: () => filename,
    getMimeType: () => 'application/octet-stream', getTotalBytes: () => 10,
    setSavePath: (/** @type {string} */ p) => calls.push(['setSavePath', p]), cancel: () => calls.push(['cancel']),
  });
  ses.emit('will-download', item('../r.pdf'), {});
  ses.emit('will-download', item('setup.exe'), {});
  await adapter.flush();
  assert.deepEqual(calls, [['setSavePath', '/srv/dl/r.pdf'], ['cancel']]);
  const st = readStatus(dir, 'persist:e');
  const base = { url: 'https://files.corp.example/x', mime_type: 'application/octet-stream', total_bytes: 10 };
  assert.deepEqual(st.events.recent.map((/** @type {any} */ e) => [e.event, e.details]), [
    ['will-download', { ...base, filename: '../r.pdf', decision: 'save', rule: 'directory', path: '/srv/dl/r.pdf' }],
    ['will-download', { ...base, filename: 'setup.exe', decision: 'cancel', rule: 'blocked_extensions', path: null }],
  ]);
  assert.equal(st.events.counts['will-download'], 2, 'the observer does not record them a second time');
});

it('will-download: without the downloads field again, the observer records downloads and the listener is gone', async () => {
  const downloads = {
    formatVersion: 1, directory: '/srv/dl', ask: true, maxSize: 0,
    allowedExtensions: null, blockedExtensions: ['exe'], allowedMimeTypes: null, blockedMimeTypes: null,
    allowedOrigins: null, blockedOrigins: null,
  };
  const { dir, ses, adapter } = await setup({ downloads });
  assert.equal(ses.listeners.get('will-download')?.length, 2, 'the observer and the downloads listener');
  writeDir(dir, [{ partition: 'persist:e', revision: 2, fields: {} }]);
  await adapter.sync();
  assert.equal(ses.listeners.get('will-download')?.length, 1, 'only the observer');
  /** @type {string[]} */
  const calls = [];
  ses.emit('will-download', {
    getURL: () => 'https://a.example/s.exe', getFilename: () => 's.exe', getMimeType: () => '', getTotalBytes: () => 0,
    setSavePath: () => calls.push('setSavePath'), cancel: () => calls.push('cancel'),
  }, {});
  await adapter.flush();
  assert.deepEqual(calls, [], 'no downloads field: Electron decides');
  const st = readStatus(dir, 'persist:e');
  assert.deepEqual(st.events.recent.map((/** @type {any} */ e) => [e.event, e.details]), [
    ['will-download', { url: 'https://a.example/s.exe', filename: 's.exe', mime_type: '', total_bytes: 0 }],
  ]);
});

it('will-download: a malformed downloads table is refused and installs no listener', async () => {
  const { dir, ses } = await setup({ downloads: { formatVersion: 1, directory: 'relative', ask: false, maxSize: 0 } });
  assert.equal(ses.listeners.get('will-download')?.length, 1, 'only the observer');
  const st = readStatus(dir, 'persist:e');
  assert.match(JSON.stringify(st.errors), /downloads\.directory must be an absolute, normalized path/);
});

it('events are written without flush() once eventFlushMs passed', async () => {
  const { dir, ses, adapter } = await setup({}, { eventFlushMs: 0 });
  /** @type {Promise<void>} */
  const written = new Promise((resolve) => adapter.on('status', () => resolve()));
  ses.emit('extension-loaded', EXT);
  ses.emit('extension-ready', EXT);
  await keepAlive(written);
  const st = readStatus(dir, 'persist:e');
  assert.deepEqual(st.events.recent.map((/** @type {any} */ e) => e.event), ['extension-loaded', 'extension-ready']);
});

it('a partition that leaves index.json stops being observed', async () => {
  const { dir, ses, adapter } = await setup({});
  writeDir(dir, [{ partition: 'persist:other', revision: 1, fields: {} }]);
  await adapter.sync();
  for (const name of OBSERVED) assert.equal((ses.listeners.get(name) || []).length, 0, name);
  ses.emit('extension-loaded', EXT); // no listener: nothing recorded, nothing thrown
  await adapter.flush();
});

it('read-back: every getter after an apply, in the documented order', async () => {
  const { dir, ses } = await setup({
    userAgent: 'WorkApp/1.0', spellChecker: { languages: ['en-US', 'fr'], words: ['zeta', 'alpha'] },
    extensions: [{ name: 'devtools', path: EXT.path, id: EXT.id, version: '1.0.0', allowFileAccess: false }],
  }, {}, (m) => {
    const s = m.fromPartition('persist:e');
    s.extensions.disk.set(EXT.path, { id: EXT.id, version: '1.0.0', name: 'DevTools' });
    s.cacheSize = 4096;
    s.serviceWorkers.running = {
      1: { scope: 'https://a.example/', scriptUrl: 'https://a.example/sw.js', renderProcessId: 3, versionId: 1 },
      2: { scope: 'https://b.example/', scriptUrl: 'https://b.example/sw.js', renderProcessId: 4, versionId: 2 },
      3: { scope: 'https://a.example/', scriptUrl: 'https://a.example/sw2.js', renderProcessId: 3, versionId: 3 },
    };
  });
  void ses;
  const rb = readStatus(dir, 'persist:e').readback;
  assert.deepEqual(Object.keys(rb), [...READBACK_MEMBERS]);
  assert.match(rb.read_at, /^\d{4}-\d\d-\d\dT/);
  assert.equal(rb.persistent, true);
  assert.equal(rb.cache_size, 4096);
  assert.equal(rb.storage_path, '/home/u/.config/app/Partitions/e');
  assert.equal(rb.user_agent, 'WorkApp/1.0');
  assert.deepEqual(rb.extensions, [{ id: EXT.id, name: 'DevTools', version: '1.0.0', path: EXT.path }]);
  assert.deepEqual(rb.extensions_missing, []);
  assert.deepEqual(rb.preloads, []);
  assert.deepEqual(rb.preload_scripts, []);
  assert.equal(rb.spellchecker_enabled, true);
  assert.deepEqual(rb.spellchecker_languages, ['en-US', 'fr']);
  assert.ok(rb.spellchecker_available_languages.includes('fr'));
  assert.deepEqual(rb.spellchecker_words, ['alpha', 'zeta']);
  assert.equal(rb.spellchecker_word_count, 2);
  assert.deepEqual(rb.service_workers, { count: 3, scopes: ['https://a.example/', 'https://b.example/'] });
  assert.deepEqual(rb.errors, []);
  assert.deepEqual(rb.truncated, []);
});

it('read-back: a getter that throws gives null and its error; the others are still read', async () => {
  const { dir } = await setup({}, {}, (m) => {
    const s = m.fromPartition('persist:e');
    s.failures.set('getCacheSize', new Error('cache backend gone'));
    s.failures.set('serviceWorkers.getAllRunning', new Error('no context'));
    s.failures.set('availableSpellCheckerLanguages', new Error('no spellchecker'));
  });
  const rb = readStatus(dir, 'persist:e').readback;
  assert.equal(rb.cache_size, null);
  assert.equal(rb.service_workers, null);
  assert.equal(rb.spellchecker_available_languages, null);
  assert.equal(rb.persistent, true);
  assert.deepEqual(rb.errors, [
    { call: 'getCacheSize', message: 'cache backend gone' },
    { call: 'availableSpellCheckerLanguages', message: 'no spellchecker' },
    { call: 'serviceWorkers.getAllRunning', message: 'no context' },
  ]);
});

it('read-back: an extension the adapter loaded that Electron lost is listed under extensions_missing; long lists are cut', async () => {
  const { dir, ses, adapter } = await setup({
    extensions: [{ name: 'devtools', path: EXT.path, id: EXT.id, version: '1.0.0', allowFileAccess: false }],
  }, {}, (m) => m.fromPartition('persist:e').extensions.disk.set(EXT.path, { id: EXT.id, version: '1.0.0' }));
  ses.extensions.loaded.clear(); // e.g. the app removed it
  for (let i = 0; i < MAX_WORDS + 5; i++) ses.words.add(`w${String(i).padStart(5, '0')}`);
  ses.cacheSize = 99;
  ses.preloadPaths = ['/opt/app/legacy-preload.js']; // what setPreloads set (Electron < 35)
  await adapter.readBackAll();
  const rb = readStatus(dir, 'persist:e').readback;
  assert.deepEqual(rb.extensions, []);
  assert.deepEqual(rb.extensions_missing, [EXT.id]);
  assert.equal(rb.cache_size, 99, 'readBackAll reads again');
  assert.deepEqual(rb.preloads, ['/opt/app/legacy-preload.js']);
  assert.equal(rb.spellchecker_words.length, MAX_WORDS);
  assert.equal(rb.spellchecker_word_count, MAX_WORDS + 5);
  assert.deepEqual(rb.truncated, ['spellchecker_words']);
});

it('a periodic read-back that began before an apply does not replace the apply\'s', async () => {
  const { dir, ses, adapter } = await setup({ userAgent: 'A' });
  /** @type {() => void} */
  let release = () => {};
  let calls = 0;
  // The first call (the periodic read) is held; the apply's reads answer at once.
  ses.cacheSizeHook = () => (calls++ === 0 ? new Promise((resolve) => { release = () => resolve(1); }) : Promise.resolve(2));
  const periodic = adapter.readBackAll();
  writeDir(dir, [{ partition: 'persist:e', revision: 2, fields: { userAgent: 'B' } }]);
  await adapter.sync();
  release();
  await periodic;
  await adapter.flush();
  const st = readStatus(dir, 'persist:e');
  assert.equal(st.revision, 2);
  assert.equal(st.readback.cache_size, 2, 'the read that began before the apply was not written');
});

it('read-back runs every readbackMs while watching', async () => {
  const { dir, ses, adapter } = await setup({}, { readbackMs: 5, resyncMs: 0 });
  ses.cacheSize = 777;
  /** @type {Promise<void>} */
  const written = new Promise((resolve) => {
    adapter.on('status', (_p, st) => {
      if (st.readback && st.readback.cache_size === 777) resolve();
    });
  });
  adapter.watch();
  await keepAlive(written);
  assert.equal(readStatus(dir, 'persist:e').readback.cache_size, 777);
});
