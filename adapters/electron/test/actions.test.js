// @ts-check
'use strict';

// One-shot actions (docs/actions.md): the maintenance field's generations
// and the queue of `sessctl action`. Every action is driven through the
// recording session; "exactly once" is checked across re-applies, syncs
// and simulated app restarts (a new Adapter and a new session module on
// the same directory, as a restarted app has), also in the middle of the
// queue.

const { describe, it, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const sessctl = require('..');
const { FakeSessionModule } = require('./fake-session');
const { writeDir, writeAtomic, fileName, tempDir, readStatus } = require('./helpers');
const { QUEUE_FILE, QUEUE_ACTIONS, ActionRunner } = require('../lib/actions');
const { INTERRUPTED } = require('../lib/journal');

/** @typedef {import('./helpers').PartitionSpec} PartitionSpec */

/** @type {Array<() => void>} */
const cleanup = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

function newDir() {
  const dir = tempDir();
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A running app: an adapter with its own sessions on dir.
 * @param {string} dir
 */
function app(dir) {
  const mod = new FakeSessionModule();
  const adapter = new sessctl.Adapter({ dir, session: mod });
  /** @type {string[]} */
  const problems = [];
  adapter.on('problem', (m) => problems.push(m));
  cleanup.push(() => adapter.close());
  return { mod, adapter, problems };
}

/** @param {{take: () => Array<{method: string, args: unknown[]}>}} ses */
const calls = (ses) => ses.take().map((c) => [c.method, ...c.args]);

const ACTION_CALLS = ['forceReloadProxyConfig', 'clearHostResolverCache', 'clearAuthCache', 'closeAllConnections', 'clearCache', 'clearStorageData', 'flushStorageData'];
const PROXY = { mode: 'pac_script', pacScript: 'http://wpad.corp.example/proxy.pac' };

/**
 * @param {number} revision
 * @param {Record<string, unknown>} maintenance
 * @param {Record<string, unknown>} [extra]
 * @returns {PartitionSpec}
 */
function part(revision, maintenance, extra = {}) {
  return { partition: 'persist:a', revision, fields: { ...extra, maintenance } };
}

describe('maintenance generations', () => {
  it('runs every action once, after the settings and before preconnect, and records the generations', async () => {
    const dir = newDir();
    const all = Object.fromEntries(ACTION_CALLS.map((m) => [m, 1]));
    writeDir(dir, [part(1, { ...all, clearStorageDataOptions: { storages: ['cookies'], quotas: ['temporary'], origin: 'https://a.example' } },
      { proxy: PROXY, preconnect: { url: 'https://a.example/', numSockets: 1 } })]);
    const { mod, adapter } = app(dir);
    await adapter.sync();
    const got = calls(mod.get('persist:a'));
    assert.deepEqual(got.map((c) => c[0]), ['setProxy', 'closeAllConnections', ...ACTION_CALLS, 'preconnect']);
    assert.deepEqual(got.find((c) => c[0] === 'clearStorageData'), ['clearStorageData', { storages: ['cookies'], quotas: ['temporary'], origin: 'https://a.example' }]);
    const st = readStatus(dir, 'persist:a');
    assert.equal(st.state, 'applied');
    for (const m of ACTION_CALLS) {
      assert.equal(st.maintenance[m].generation, 1, m);
      assert.equal(st.maintenance[m].state, 'done', m);
      assert.equal(st.maintenance[m].error, null, m);
    }
    const journal = JSON.parse(fs.readFileSync(path.join(dir, 'status', 'maintenance', fileName('persist:a')), 'utf8'));
    assert.deepEqual(journal.actions, st.maintenance);
  });

  it('a generation runs once: not again on a new revision, a resync or an app restart; a raise runs only that action', async () => {
    const dir = newDir();
    writeDir(dir, [part(1, { clearCache: 1, clearAuthCache: 0 })]);
    const first = app(dir);
    await first.adapter.sync();
    assert.deepEqual(calls(first.mod.get('persist:a')), [['clearCache']]);

    writeDir(dir, [part(2, { clearCache: 1, clearAuthCache: 0 }, { userAgent: 'A/2' })]);
    await first.adapter.sync();
    await first.adapter.sync();
    assert.deepEqual(calls(first.mod.get('persist:a')), [['setUserAgent', 'A/2']]);
    first.adapter.close();

    // The app restarts: new sessions, a new adapter, the same directory.
    const second = app(dir);
    await second.adapter.sync();
    assert.deepEqual(calls(second.mod.get('persist:a')).map((c) => c[0]), ['setUserAgent']);

    writeDir(dir, [part(3, { clearCache: 2, clearAuthCache: 1 }, { userAgent: 'A/2' })]);
    await second.adapter.sync();
    assert.deepEqual(calls(second.mod.get('persist:a')), [['clearAuthCache'], ['clearCache']]);
    assert.equal(readStatus(dir, 'persist:a').maintenance.clearCache.generation, 2);
  });

  it("a failure is recorded with Electron's error and retried only when the generation is raised", async () => {
    const dir = newDir();
    writeDir(dir, [part(1, { clearCache: 1, flushStorageData: 1 })]);
    const { mod, adapter } = app(dir);
    const ses = mod.fromPartition('persist:a');
    ses.failures.set('clearCache', new Error('Failed to clear cache: net::ERR_FAILED'));
    await adapter.sync();
    assert.deepEqual(calls(ses), [['clearCache'], ['flushStorageData']]);
    let st = readStatus(dir, 'persist:a');
    assert.equal(st.state, 'partial');
    assert.deepEqual(st.errors, [{ field: 'maintenance', call: 'clearCache', message: 'Failed to clear cache: net::ERR_FAILED' }]);
    assert.deepEqual({ ...st.maintenance.clearCache, at: '' }, { generation: 1, state: 'failed', error: 'Failed to clear cache: net::ERR_FAILED', at: '' });

    ses.failures.clear();
    writeDir(dir, [part(2, { clearCache: 1, flushStorageData: 1 }, { userAgent: 'B' })]);
    await adapter.sync();
    assert.deepEqual(calls(ses), [['setUserAgent', 'B']]);
    st = readStatus(dir, 'persist:a');
    assert.equal(st.maintenance.clearCache.state, 'failed');

    writeDir(dir, [part(3, { clearCache: 2, flushStorageData: 1 }, { userAgent: 'B' })]);
    await adapter.sync();
    assert.deepEqual(calls(ses), [['clearCache']]);
    assert.equal(readStatus(dir, 'persist:a').maintenance.clearCache.state, 'done');
  });

  it('a maintenance block that leaves the profile undoes nothing and is not retained', async () => {
    const dir = newDir();
    writeDir(dir, [part(1, { clearCache: 1 })]);
    const { mod, adapter } = app(dir);
    await adapter.sync();
    writeDir(dir, [{ partition: 'persist:a', revision: 2, fields: { userAgent: 'U' } }]);
    await adapter.sync();
    assert.deepEqual(calls(mod.get('persist:a')), [['clearCache'], ['setUserAgent', 'U']]);
    const st = readStatus(dir, 'persist:a');
    assert.deepEqual(st.retained, []);
    assert.equal(st.maintenance.clearCache.generation, 1);
  });

  it('an action the app was stopped in the middle of is reported interrupted, not run again', async () => {
    const dir = newDir();
    writeDir(dir, [part(1, { clearCache: 4 })]);
    const jdir = path.join(dir, 'status', 'maintenance');
    fs.mkdirSync(jdir, { recursive: true });
    fs.writeFileSync(path.join(jdir, fileName('persist:a')), JSON.stringify({
      format_version: 1, partition: 'persist:a', actions: { clearCache: { generation: 4, state: 'running', error: null, at: '2026-01-01T00:00:00.000Z' } },
    }));
    const { mod, adapter } = app(dir);
    await adapter.sync();
    assert.deepEqual(calls(mod.get('persist:a')), []);
    const st = readStatus(dir, 'persist:a');
    assert.equal(st.maintenance.clearCache.state, 'failed');
    assert.equal(st.maintenance.clearCache.error, INTERRUPTED);
  });

  it('a journal that cannot be read runs nothing and says why', async () => {
    const dir = newDir();
    writeDir(dir, [part(1, { clearCache: 1 })]);
    const jdir = path.join(dir, 'status', 'maintenance');
    fs.mkdirSync(jdir, { recursive: true });
    fs.writeFileSync(path.join(jdir, fileName('persist:a')), '{"format_version": 1, "actions":');
    const { mod, adapter } = app(dir);
    await adapter.sync();
    assert.deepEqual(calls(mod.get('persist:a')), []);
    const st = readStatus(dir, 'persist:a');
    assert.equal(st.errors.length, 1);
    assert.match(st.errors[0].message, /clearCache generation 1 not run: its journal cannot be written: cannot use .*maintenance/);

    // Repaired: the next revision runs what the journal does not have.
    fs.writeFileSync(path.join(jdir, fileName('persist:a')), JSON.stringify({ format_version: 1, partition: 'persist:a', actions: {} }));
    writeDir(dir, [part(2, { clearCache: 1 }, { userAgent: 'U' })]);
    await adapter.sync();
    assert.deepEqual(calls(mod.get('persist:a')), [['setUserAgent', 'U'], ['clearCache']]);
    assert.equal(readStatus(dir, 'persist:a').maintenance.clearCache.state, 'done');
  });

  it('a malformed maintenance field makes no call', async () => {
    const dir = newDir();
    for (const [bad, want] of /** @type {Array<[unknown, RegExp]>} */ ([
      [{ clearCache: -1 }, /generation number/],
      [{ clearCache: 1.5 }, /generation number/],
      [{ deleteEverything: 1 }, /not an action this adapter knows/],
      [{ clearStorageData: 1, clearStorageDataOptions: { storages: 'cookies' } }, /malformed/],
      [[1], /must be an object/],
    ])) {
      writeDir(dir, [part(1, /** @type {any} */ (bad))]);
      const { mod, adapter } = app(dir);
      await adapter.sync();
      adapter.close();
      assert.deepEqual(calls(mod.get('persist:a')), [], JSON.stringify(bad));
      const st = readStatus(dir, 'persist:a');
      assert.equal(st.errors[0].call, null);
      assert.match(st.errors[0].message, want);
    }
  });
});

/**
 * Appends to the queue as sessctl does (the whole file, by rename).
 * @param {string} dir
 * @param {Array<{id: string, partition: string, action: string, args?: Record<string, unknown>}>} actions
 */
function queue(dir, actions) {
  writeAtomic(path.join(dir, QUEUE_FILE), JSON.stringify({
    format_version: 1,
    actions: actions.map((a) => ({ ...a, args: a.args || {}, queued_at: '2026-12-04T00:00:00Z' })),
  }, null, 2) + '\n');
}

/**
 * @param {string} dir
 * @param {string} id
 */
function result(dir, id) {
  return JSON.parse(fs.readFileSync(path.join(dir, 'status', 'actions', `${id}.json`), 'utf8'));
}

describe('the action queue', () => {
  it('runs every action through the session, with its result', async () => {
    const dir = newDir();
    writeDir(dir, [{ partition: 'persist:a', revision: 1, fields: { downloadPath: '/srv/dl' } }]);
    const { mod, adapter } = app(dir);
    await adapter.sync();
    const ses = mod.get('persist:a');
    ses.take();
    ses.cacheSize = 4096;
    const list = [
      { id: '1-00000001', partition: 'persist:a', action: 'get-cache-size' },
      { id: '2-00000002', partition: 'persist:a', action: 'clear-cache' },
      { id: '3-00000003', partition: 'persist:a', action: 'clear-storage-data', args: { storages: ['cookies'], origin: 'https://a.example' } },
      { id: '4-00000004', partition: 'persist:a', action: 'clear-storage-data' },
      { id: '5-00000005', partition: 'persist:a', action: 'clear-auth-cache' },
      { id: '6-00000006', partition: 'persist:a', action: 'clear-host-resolver-cache' },
      { id: '7-00000007', partition: 'persist:a', action: 'flush-storage-data' },
      { id: '8-00000008', partition: 'persist:a', action: 'force-reload-proxy-config' },
      { id: '9-00000009', partition: 'persist:a', action: 'close-all-connections' },
      { id: '10-0000000a', partition: 'persist:a', action: 'download-url', args: { url: 'https://files.corp.example/a.zip' } },
      { id: '11-0000000b', partition: 'persist:a', action: 'net-log', args: { command: 'start', max_file_size: 1000000, capture_mode: 'default' } },
      { id: '12-0000000c', partition: 'persist:a', action: 'net-log', args: { command: 'stop' } },
    ];
    assert.deepEqual(Object.keys(QUEUE_ACTIONS).sort(), [...new Set(list.map((a) => a.action))].sort());
    queue(dir, list);
    const r = await adapter.sync();
    assert.deepEqual(r.actions, list.map((a) => a.id));
    const logFile = path.join(dir, 'status', 'netlog', `${fileName('persist:a').replace(/\.json$/, '')}-11-0000000b.json`);
    // Getters are not recorded as calls (they change nothing); the result
    // of 1-00000001 below shows getCacheSize ran.
    assert.deepEqual(calls(ses), [
      ['clearCache'], ['clearStorageData', { storages: ['cookies'], origin: 'https://a.example' }], ['clearStorageData'],
      ['clearAuthCache'], ['clearHostResolverCache'], ['flushStorageData'], ['forceReloadProxyConfig'], ['closeAllConnections'],
      ['downloadURL', 'https://files.corp.example/a.zip'],
      ['netLog.startLogging', logFile, { maxFileSize: 1000000, captureMode: 'default' }], ['netLog.stopLogging'],
    ]);
    for (const a of list) {
      const res = result(dir, a.id);
      assert.equal(res.state, 'done', a.id);
      assert.equal(res.id, a.id);
      assert.equal(res.partition, 'persist:a');
      assert.equal(res.action, a.action);
      assert.equal(res.error, null);
      assert.equal(res.pid, process.pid);
    }
    assert.deepEqual(result(dir, '1-00000001').result, { bytes: 4096 });
    assert.deepEqual(result(dir, '10-0000000a').result, { url: 'https://files.corp.example/a.zip' });
    assert.deepEqual(result(dir, '11-0000000b').result, { path: logFile, max_file_size: 1000000 });
    assert.deepEqual(result(dir, '12-0000000c').result, { path: logFile });

    // A sync, a resync and a new revision run none of them again.
    await adapter.sync();
    writeDir(dir, [{ partition: 'persist:a', revision: 2, fields: { downloadPath: '/srv/dl2' } }]);
    await adapter.sync();
    assert.deepEqual(calls(ses), [['setDownloadPath', '/srv/dl2']]);
  });

  it("exactly once across an app restart in the middle of the queue", async () => {
    const dir = newDir();
    writeDir(dir, [{ partition: 'persist:a', revision: 1, fields: {} }]);
    queue(dir, [
      { id: '1-aaaaaaaa', partition: 'persist:a', action: 'clear-cache' },
      { id: '2-bbbbbbbb', partition: 'persist:a', action: 'clear-auth-cache' },
      { id: '3-cccccccc', partition: 'persist:a', action: 'flush-storage-data' },
    ]);
    // The first app is stopped while the second action runs: its call
    // never returns (the process is gone), its result says "running".
    const first = app(dir);
    const ses1 = first.mod.fromPartition('persist:a');
    /** @type {(v?: unknown) => void} */
    let entered = () => {};
    const inside = new Promise((resolve) => { entered = resolve; });
    ses1.clearAuthCache = () => {
      ses1.record('clearAuthCache', []);
      entered();
      return new Promise(() => {});
    };
    void first.adapter.sync();
    await inside;
    first.adapter.close();
    assert.deepEqual(calls(ses1), [['clearCache'], ['clearAuthCache']]);
    assert.equal(result(dir, '1-aaaaaaaa').state, 'done');
    assert.equal(result(dir, '2-bbbbbbbb').state, 'running');
    assert.throws(() => result(dir, '3-cccccccc'), /ENOENT/);

    // The restarted app runs what never started, reports what was cut
    // short, and runs nothing twice.
    const second = app(dir);
    await second.adapter.sync();
    assert.deepEqual(calls(second.mod.get('persist:a')), [['flushStorageData']]);
    assert.equal(result(dir, '1-aaaaaaaa').state, 'done');
    const cut = result(dir, '2-bbbbbbbb');
    assert.equal(cut.state, 'failed');
    assert.equal(cut.error, INTERRUPTED);
    assert.equal(result(dir, '3-cccccccc').state, 'done');

    // Another restart: nothing at all.
    const third = app(dir);
    await third.adapter.sync();
    assert.deepEqual(calls(third.mod.get('persist:a')), []);
  });

  it("a failure carries Electron's error; a retry is a new ID", async () => {
    const dir = newDir();
    writeDir(dir, [{ partition: 'persist:a', revision: 1, fields: {} }]);
    const { mod, adapter } = app(dir);
    await adapter.sync();
    const ses = mod.get('persist:a');
    ses.take();
    ses.netLog.file = '/elsewhere.json';
    queue(dir, [{ id: '1-aaaaaaaa', partition: 'persist:a', action: 'net-log', args: { command: 'start', max_file_size: 10 } }]);
    await adapter.sync();
    const res = result(dir, '1-aaaaaaaa');
    assert.equal(res.state, 'failed');
    assert.equal(res.error, 'There is already a net log running');
    await adapter.sync();
    assert.equal(calls(ses).length, 1, 'not retried by a sync');

    ses.netLog.file = null;
    queue(dir, [
      { id: '1-aaaaaaaa', partition: 'persist:a', action: 'net-log', args: { command: 'start', max_file_size: 10 } },
      { id: '2-bbbbbbbb', partition: 'persist:a', action: 'net-log', args: { command: 'start', max_file_size: 10 } },
    ]);
    await adapter.sync();
    assert.equal(result(dir, '2-bbbbbbbb').state, 'done');
    assert.equal(result(dir, '1-aaaaaaaa').state, 'failed');
  });

  it('refuses what it cannot run, with the reason, and never derives a path from the partition name', async () => {
    const dir = newDir();
    writeDir(dir, [{ partition: 'persist:a', revision: 1, fields: {} }]);
    const { mod, adapter } = app(dir);
    await adapter.sync();
    const ses = mod.get('persist:a');
    ses.take();
    queue(dir, [
      { id: '1-aaaaaaaa', partition: 'persist:../../etc', action: 'clear-cache' },
      { id: '2-aaaaaaaa', partition: 'persist:a', action: 'rm-rf' },
      { id: '3-aaaaaaaa', partition: 'persist:a', action: 'download-url', args: { url: 'file:///etc/passwd' } },
      { id: '4-aaaaaaaa', partition: 'persist:a', action: 'net-log', args: { command: 'start', max_file_size: 2 * 1024 * 1024 * 1024 } },
      { id: '5-aaaaaaaa', partition: 'persist:a', action: 'clear-storage-data', args: { storages: ['websql'] } },
      { id: '6-aaaaaaaa', partition: 'persist:a', action: 'clear-cache', args: { path: '/tmp' } },
      { id: '7-aaaaaaaa', partition: 'persist:a', action: 'constructor' },
    ]);
    await adapter.sync();
    assert.deepEqual(calls(ses), []);
    const want = {
      '1-aaaaaaaa': /partition "persist:\.\.\/\.\.\/etc" is not in index\.json/,
      '2-aaaaaaaa': /unknown action "rm-rf"/,
      '3-aaaaaaaa': /url must be http or https, not file:/,
      '4-aaaaaaaa': /max_file_size must be a whole number of bytes from 1 to 1073741824/,
      '5-aaaaaaaa': /storages must be a list of cookies/,
      '6-aaaaaaaa': /takes no arguments/,
      '7-aaaaaaaa': /unknown action "constructor"/,
    };
    for (const [id, re] of Object.entries(want)) {
      const res = result(dir, id);
      assert.equal(res.state, 'failed', id);
      assert.match(res.error, re, id);
    }
    assert.deepEqual(fs.readdirSync(path.join(dir, 'status', 'actions')).sort(), Object.keys(want).map((id) => `${id}.json`).sort());
  });

  it('a malformed queue is a problem and runs nothing; an ID that is not a plain name is refused', async () => {
    const dir = newDir();
    writeDir(dir, [{ partition: 'persist:a', revision: 1, fields: {} }]);
    const { mod, adapter, problems } = app(dir);
    await adapter.sync();
    mod.get('persist:a').take();
    for (const text of ['not json', '{"format_version": 2, "actions": []}',
      JSON.stringify({ format_version: 1, actions: [{ id: '../../x', partition: 'persist:a', action: 'clear-cache', args: {} }] })]) {
      fs.writeFileSync(path.join(dir, QUEUE_FILE), text);
      await adapter.sync();
    }
    assert.deepEqual(calls(mod.get('persist:a')), []);
    assert.equal(problems.length, 3);
    assert.match(problems[2], /actions\[0\] is malformed/);
    assert.ok(!fs.existsSync(path.join(dir, 'status', 'actions')));
  });

  it('waits for a partition that is in index.json but not applied yet', async () => {
    const dir = newDir();
    writeDir(dir, [{ partition: 'persist:a', revision: 1, fields: {} }]);
    const runner = new ActionRunner(dir, path.join(dir, 'status'));
    queue(dir, [{ id: '1-aaaaaaaa', partition: 'persist:a', action: 'clear-cache' }]);
    assert.deepEqual(await runner.run(() => 'pending', () => {}), []);
    assert.ok(!fs.existsSync(path.join(dir, 'status', 'actions', '1-aaaaaaaa.json')));
  });
});
