// @ts-check
'use strict';

// Following updates: only partitions whose revision changed are applied
// again, and within them only the fields that changed; invalid profiles
// leave the previous settings in place; removed partitions and fields are
// undone where Electron allows it.

const { describe, it, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const sessctl = require('..');
const { FakeSessionModule } = require('./fake-session');
const { writeDir, writeIndex, writeAtomic, renderProfile, fileName, tempDir, readStatus } = require('./helpers');

/** @typedef {import('./helpers').PartitionSpec} PartitionSpec */

/** @type {Array<() => void>} */
const cleanup = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

/** @param {PartitionSpec[]} specs */
async function setup(specs) {
  const dir = tempDir();
  const mod = new FakeSessionModule();
  const adapter = new sessctl.Adapter({ dir, session: mod });
  cleanup.push(() => {
    adapter.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  writeDir(dir, specs);
  await adapter.sync();
  for (const s of mod.sessions.values()) s.take();
  mod.defaultSession.take();
  return { dir, mod, adapter };
}

/** @param {{take: () => Array<{method: string, args: unknown[]}>}} ses */
const calls = (ses) => ses.take().map((c) => [c.method, ...c.args]);

const PROXY_A = { mode: 'fixed_servers', proxyRules: 'http=a.example:3128' };
const PROXY_B = { mode: 'fixed_servers', proxyRules: 'http=b.example:3128' };

describe('updates', () => {
  it('a sync without changes makes no call and rewrites no status', async () => {
    const { dir, mod, adapter } = await setup([{ partition: 'persist:a', revision: 1, fields: { proxy: PROXY_A } }]);
    const before = fs.statSync(path.join(dir, 'status', fileName('persist:a'))).mtimeMs;
    const r = await adapter.sync();
    assert.deepEqual(r, { applied: [], rejected: [], removed: [], actions: [], problem: null });
    assert.deepEqual(calls(mod.get('persist:a')), []);
    assert.equal(fs.statSync(path.join(dir, 'status', fileName('persist:a'))).mtimeMs, before);
  });

  it('only the partition whose revision changed is applied, and only its changed field', async () => {
    const { dir, mod, adapter } = await setup([
      { partition: 'persist:a', revision: 1, fields: { proxy: PROXY_A, userAgent: 'A/1' } },
      { partition: 'persist:b', revision: 1, fields: { proxy: PROXY_A, userAgent: 'B/1' } },
    ]);
    writeDir(dir, [
      { partition: 'persist:a', revision: 1, fields: { proxy: PROXY_A, userAgent: 'A/1' } },
      { partition: 'persist:b', revision: 2, fields: { proxy: PROXY_A, userAgent: 'B/2' } },
    ]);
    const r = await adapter.sync();
    assert.deepEqual(r.applied, ['persist:b']);
    assert.deepEqual(calls(mod.get('persist:a')), []);
    assert.deepEqual(calls(mod.get('persist:b')), [['setUserAgent', 'B/2']]);
    assert.equal(readStatus(dir, 'persist:b').revision, 2);
    assert.equal(readStatus(dir, 'persist:a').revision, 1);
  });

  it('a proxy change is setProxy followed by closeAllConnections', async () => {
    const { dir, mod, adapter } = await setup([{ partition: 'persist:a', revision: 1, fields: { proxy: PROXY_A } }]);
    writeDir(dir, [{ partition: 'persist:a', revision: 2, fields: { proxy: PROXY_B } }]);
    await adapter.sync();
    assert.deepEqual(calls(mod.get('persist:a')), [['setProxy', PROXY_B], ['closeAllConnections']]);
  });

  it('custom words are diffed against listWordsInSpellCheckerDictionary()', async () => {
    const { dir, mod, adapter } = await setup([{ partition: 'persist:a', revision: 1, fields: { spellChecker: { words: ['alpha', 'beta'] } } }]);
    const ses = mod.get('persist:a');
    ses.words.add('typed-by-user');
    writeDir(dir, [{ partition: 'persist:a', revision: 2, fields: { spellChecker: { words: ['beta', 'gamma'] } } }]);
    await adapter.sync();
    assert.deepEqual(calls(ses), [
      ['removeWordFromSpellCheckerDictionary', 'alpha'],
      ['removeWordFromSpellCheckerDictionary', 'typed-by-user'],
      ['addWordToSpellCheckerDictionary', 'gamma'],
    ]);
    assert.deepEqual([...ses.words].sort(), ['beta', 'gamma']);
  });

  it('only changed spellchecker members are set again', async () => {
    const { dir, mod, adapter } = await setup([{ partition: 'persist:a', revision: 1, fields: { spellChecker: { enabled: true, languages: ['en-US'] } } }]);
    writeDir(dir, [{ partition: 'persist:a', revision: 2, fields: { spellChecker: { enabled: true, languages: ['en-US', 'fr'] } } }]);
    await adapter.sync();
    assert.deepEqual(calls(mod.get('persist:a')), [['setSpellCheckerLanguages', ['en-US', 'fr']]]);
  });

  it('extensions are diffed: removed, kept, loaded', async () => {
    const X = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
    const Y = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
    const Z = 'cccccccccccccccccccccccccccccccc';
    const dir = tempDir();
    const mod = new FakeSessionModule();
    const ses = mod.fromPartition('persist:a');
    ses.extensions.disk.set('/ext/x', { id: X, version: '1.0' });
    ses.extensions.disk.set('/ext/y', { id: Y, version: '1.0' });
    ses.extensions.disk.set('/ext/z', { id: Z, version: '2.0' });
    // An extension the app loaded itself is not the adapter's to remove.
    ses.extensions.loaded.set('dddddddddddddddddddddddddddddddd', /** @type {Electron.Extension} */ ({ id: 'dddddddddddddddddddddddddddddddd', path: '/ext/app', version: '1', name: 'app', url: '', manifest: {}, dynamicId: '' }));
    const adapter = new sessctl.Adapter({ dir, session: mod });
    cleanup.push(() => {
      adapter.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    const ext = (/** @type {string} */ name, /** @type {string} */ id, version = '1.0', allowFileAccess = false) =>
      ({ name, path: '/ext/' + name, id, version, allowFileAccess });
    writeDir(dir, [{ partition: 'persist:a', revision: 1, fields: { extensions: [ext('x', X), ext('y', Y)] } }]);
    await adapter.sync();
    ses.take();
    writeDir(dir, [{ partition: 'persist:a', revision: 2, fields: { extensions: [ext('y', Y), ext('z', Z, '2.0')] } }]);
    await adapter.sync();
    assert.deepEqual(calls(ses), [
      ['extensions.removeExtension', X],
      ['extensions.loadExtension', '/ext/z', { allowFileAccess: false }],
    ]);
    // allowFileAccess changed: reloaded.
    writeDir(dir, [{ partition: 'persist:a', revision: 3, fields: { extensions: [ext('y', Y, '1.0', true), ext('z', Z, '2.0')] } }]);
    await adapter.sync();
    assert.deepEqual(calls(ses), [
      ['extensions.removeExtension', Y],
      ['extensions.loadExtension', '/ext/y', { allowFileAccess: true }],
    ]);
    const st = readStatus(dir, 'persist:a');
    assert.deepEqual(st.extensions.map((/** @type {{id: string}} */ e) => e.id).sort(), [Y, Z]);
    // Field removed: the adapter's extensions go (in the order they were
    // loaded), the app's stays.
    writeDir(dir, [{ partition: 'persist:a', revision: 4, fields: {} }]);
    await adapter.sync();
    assert.deepEqual(calls(ses), [['extensions.removeExtension', Z], ['extensions.removeExtension', Y]]);
    assert.deepEqual(ses.extensions.getAllExtensions().map((e) => e.id), ['dddddddddddddddddddddddddddddddd']);
  });

  it('preloads are diffed by ID: unchanged kept, changed re-registered, gone unregistered', async () => {
    const scripts = tempDir();
    cleanup.push(() => fs.rmSync(scripts, { recursive: true, force: true }));
    const pre = (/** @type {string} */ id, /** @type {string} */ name) => {
      const filePath = path.join(scripts, name);
      if (!fs.existsSync(filePath)) fs.writeFileSync(filePath, `// ${name}\n`);
      return { id, type: 'frame', filePath, sha256: require('node:crypto').createHash('sha256').update(fs.readFileSync(filePath)).digest('hex') };
    };
    const { dir, mod, adapter } = await setup([{ partition: 'persist:a', revision: 1, fields: { preloadApi: 'registerPreloadScript', preloads: [pre('a', 'a.js'), pre('b', 'b.js')] } }]);
    const ses = mod.get('persist:a');
    writeDir(dir, [{ partition: 'persist:a', revision: 2, fields: { preloadApi: 'registerPreloadScript', preloads: [pre('a', 'a.js'), pre('b', 'b2.js'), pre('c', 'c.js')] } }]);
    await adapter.sync();
    assert.deepEqual(calls(ses), [
      ['unregisterPreloadScript', 'b'],
      ['registerPreloadScript', { type: 'frame', id: 'b', filePath: path.join(scripts, 'b2.js') }],
      ['registerPreloadScript', { type: 'frame', id: 'c', filePath: path.join(scripts, 'c.js') }],
    ]);
    writeDir(dir, [{ partition: 'persist:a', revision: 3, fields: {} }]);
    await adapter.sync();
    assert.deepEqual(calls(ses), [['unregisterPreloadScript', 'a'], ['unregisterPreloadScript', 'b'], ['unregisterPreloadScript', 'c']]);
    assert.deepEqual(ses.getPreloadScripts(), []);
  });

  it('fields that leave the profile: handlers and emulation undone, TLS back to default, the rest retained', async () => {
    const { dir, mod, adapter } = await setup([{
      partition: 'persist:a', revision: 1, fields: {
        permissions: { formatVersion: 1, default: 'deny', rules: [] },
        certificateRules: { formatVersion: 1, defaultCode: -3, rules: [] },
        serialRules: { formatVersion: 1, rules: [] },
        networkEmulation: { offline: true, latency: 0, downloadThroughput: 0, uploadThroughput: 0 },
        sslConfig: { minVersion: 'tls1.3' },
        proxy: PROXY_A,
        userAgent: 'A/1',
      },
    }]);
    const ses = mod.get('persist:a');
    assert.equal(ses.listeners.get('select-serial-port')?.length, 1);
    writeDir(dir, [{ partition: 'persist:a', revision: 2, fields: {} }]);
    await adapter.sync();
    assert.deepEqual(calls(ses), [
      ['setPermissionRequestHandler', null], ['setPermissionCheckHandler', null],
      ['setCertificateVerifyProc', null],
      ['removeListener', 'select-serial-port'],
      ['setSSLConfig', {}],
      ['disableNetworkEmulation'],
    ]);
    assert.equal(ses.listeners.get('select-serial-port')?.length, 0);
    const st = readStatus(dir, 'persist:a');
    assert.deepEqual(st.retained, ['proxy', 'userAgent']);
    assert.equal(st.revision, 2);
  });

  it('a permissions table of an unknown format after a good one keeps the previous handlers', async () => {
    const good = { formatVersion: 1, default: 'allow', rules: [] };
    const { dir, mod, adapter } = await setup([{ partition: 'persist:a', revision: 1, fields: { permissions: good } }]);
    const ses = mod.get('persist:a');
    const before = ses.requestHandler;
    writeDir(dir, [{ partition: 'persist:a', revision: 2, fields: { permissions: { ...good, formatVersion: 2 } } }]);
    await adapter.sync();
    assert.deepEqual(calls(ses), []);
    assert.equal(ses.requestHandler, before);
    const st = readStatus(dir, 'persist:a');
    assert.equal(st.revision, 2);
    assert.match(st.errors[0].message, /the previous handlers stay in place/);
  });

  it('a field Electron refused is tried again with the next revision even if unchanged', async () => {
    const { dir, mod, adapter } = await setup([{ partition: 'persist:a', revision: 1, fields: { downloadPath: '/d', userAgent: 'A/1' } }]);
    // Make the first apply fail by replaying it on a failing session.
    const ses = mod.get('persist:a');
    ses.failures.set('setDownloadPath', new Error('conversion failure'));
    writeDir(dir, [{ partition: 'persist:a', revision: 2, fields: { downloadPath: '/e', userAgent: 'A/1' } }]);
    await adapter.sync();
    assert.deepEqual(calls(ses), [['setDownloadPath', '/e']]);
    assert.equal(readStatus(dir, 'persist:a').errors[0].message, 'conversion failure');
    ses.failures.clear();
    writeDir(dir, [{ partition: 'persist:a', revision: 3, fields: { downloadPath: '/e', userAgent: 'A/2' } }]);
    await adapter.sync();
    assert.deepEqual(calls(ses), [['setUserAgent', 'A/2'], ['setDownloadPath', '/e']]);
    assert.deepEqual(readStatus(dir, 'persist:a').errors, []);
  });

  it('a process-wide setting: after an update of an earlier partition, the last partition\'s value is set again', async () => {
    const { dir, mod, adapter } = await setup([
      { partition: 'persist:a', revision: 1, fields: { ntlmDomains: 'a.example', spellChecker: { dictionaryDownloadURL: 'https://a.example/d/' } } },
      { partition: 'persist:b', revision: 1, fields: { ntlmDomains: 'b.example', spellChecker: { dictionaryDownloadURL: 'https://b.example/d/' } } },
    ]);
    writeDir(dir, [
      { partition: 'persist:a', revision: 2, fields: { ntlmDomains: 'a2.example', spellChecker: { dictionaryDownloadURL: 'https://a2.example/d/' } } },
      { partition: 'persist:b', revision: 1, fields: { ntlmDomains: 'b.example', spellChecker: { dictionaryDownloadURL: 'https://b.example/d/' } } },
    ]);
    await adapter.sync();
    assert.deepEqual(calls(mod.get('persist:a')), [
      ['setSpellCheckerDictionaryDownloadURL', 'https://a2.example/d/'],
      ['allowNTLMCredentialsForDomains', 'a2.example'],
    ]);
    assert.deepEqual(calls(mod.get('persist:b')), [
      ['allowNTLMCredentialsForDomains', 'b.example'],
      ['setSpellCheckerDictionaryDownloadURL', 'https://b.example/d/'],
    ]);
  });
});

describe('invalid and half-written profiles', () => {
  it('a profile edited by hand is refused; the previous settings stay and the status says why', async () => {
    const { dir, mod, adapter } = await setup([{ partition: 'persist:a', revision: 1, fields: { userAgent: 'A/1' } }]);
    const entries = writeDir(dir, [{ partition: 'persist:a', revision: 2, fields: { userAgent: 'A/2' } }]);
    const file = path.join(dir, entries[0].file);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('A/2', 'EVIL/1'));
    const r = await adapter.sync();
    assert.deepEqual(r.rejected, ['persist:a']);
    assert.deepEqual(calls(mod.get('persist:a')), []);
    const st = readStatus(dir, 'persist:a');
    assert.equal(st.state, 'rejected');
    assert.equal(st.revision, 1);
    assert.equal(st.user_agent, 'A/1');
    assert.equal(st.rejected.revision, 2);
    assert.match(st.rejected.reason, /does not match its own digest/);
    // sessctl rewrites it: applied.
    writeDir(dir, [{ partition: 'persist:a', revision: 3, fields: { userAgent: 'A/3' } }]);
    await adapter.sync();
    assert.deepEqual(calls(mod.get('persist:a')), [['setUserAgent', 'A/3']]);
    const st2 = readStatus(dir, 'persist:a');
    assert.equal(st2.state, 'applied');
    assert.equal(st2.rejected, null);
  });

  it('a profile written before its index.json is not applied until the index names it', async () => {
    const { dir, mod, adapter } = await setup([{ partition: 'persist:a', revision: 1, fields: { userAgent: 'A/1' } }]);
    const spec = { partition: 'persist:a', revision: 2, fields: { userAgent: 'A/2' } };
    const { text, digest } = renderProfile(spec);
    writeAtomic(path.join(dir, fileName('persist:a')), text);
    const r = await adapter.sync();
    assert.deepEqual(r, { applied: [], rejected: [], removed: [], actions: [], problem: null });
    assert.deepEqual(calls(mod.get('persist:a')), []);
    assert.equal(readStatus(dir, 'persist:a').state, 'applied');
    assert.equal(readStatus(dir, 'persist:a').revision, 1);
    writeIndex(dir, [{ partition: 'persist:a', file: fileName('persist:a'), persistent: true, revision: 2, digest }]);
    await adapter.sync();
    assert.deepEqual(calls(mod.get('persist:a')), [['setUserAgent', 'A/2']]);
  });

  it('a truncated profile is never applied', async () => {
    const { dir, mod, adapter } = await setup([{ partition: 'persist:a', revision: 1, fields: { userAgent: 'A/1' } }]);
    const entries = writeDir(dir, [{ partition: 'persist:a', revision: 2, fields: { userAgent: 'A/2' } }]);
    const file = path.join(dir, entries[0].file);
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, text.slice(0, text.length / 2));
    await adapter.sync();
    assert.deepEqual(calls(mod.get('persist:a')), []);
    assert.equal(readStatus(dir, 'persist:a').revision, 1);
  });

  it('a missing or unreadable index.json changes nothing and is reported as a problem', async () => {
    const { dir, mod, adapter } = await setup([{ partition: 'persist:a', revision: 1, fields: { userAgent: 'A/1' } }]);
    /** @type {string[]} */
    const problems = [];
    adapter.on('problem', (m) => problems.push(m));
    fs.writeFileSync(path.join(dir, 'index.json'), '{"format_version": 9, "partitions": []}');
    const r = await adapter.sync();
    assert.match(String(r.problem), /format_version 9/);
    assert.equal(problems.length, 1);
    assert.deepEqual(calls(mod.get('persist:a')), []);
    assert.equal(readStatus(dir, 'persist:a').revision, 1);
  });

  it('a partition removed from index.json is undone and its status file removed', async () => {
    const { dir, mod, adapter } = await setup([
      { partition: 'persist:a', revision: 1, fields: { permissions: { formatVersion: 1, default: 'deny', rules: [] }, networkEmulation: { offline: true, latency: 0, downloadThroughput: 0, uploadThroughput: 0 } } },
      { partition: 'persist:b', revision: 1, fields: { userAgent: 'B' } },
    ]);
    writeDir(dir, [{ partition: 'persist:b', revision: 1, fields: { userAgent: 'B' } }]);
    const r = await adapter.sync();
    assert.deepEqual(r.removed, ['persist:a']);
    assert.deepEqual(calls(mod.get('persist:a')), [
      ['setPermissionRequestHandler', null], ['setPermissionCheckHandler', null], ['disableNetworkEmulation'],
    ]);
    assert.equal(fs.existsSync(path.join(dir, 'status', fileName('persist:a'))), false);
    assert.equal(fs.existsSync(path.join(dir, 'status', fileName('persist:b'))), true);
  });
});

describe('watching the directory', () => {
  it('start() applies everything, then follows writes made the way sessctl makes them', async () => {
    const dir = tempDir();
    const mod = new FakeSessionModule();
    writeDir(dir, [{ partition: 'persist:a', revision: 1, fields: { userAgent: 'A/1' } }]);
    const adapter = await sessctl.start({ dir, session: mod, debounceMs: 20, resyncMs: 0 });
    cleanup.push(() => {
      adapter.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    assert.deepEqual(calls(mod.get('persist:a')), [['setUserAgent', 'A/1']]);
    const applied = new Promise((resolve) => {
      adapter.on('status', (partition, status) => {
        if (partition === 'persist:a' && status.revision === 2) resolve(status);
      });
    });
    writeDir(dir, [{ partition: 'persist:a', revision: 2, fields: { userAgent: 'A/2' } }]);
    /** @type {NodeJS.Timeout | undefined} */
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('no status for revision 2 within 10 s')), 10000);
    });
    try {
      await Promise.race([applied, timeout]);
    } finally {
      clearTimeout(timer);
    }
    assert.deepEqual(calls(mod.get('persist:a')), [['setUserAgent', 'A/2']]);
    assert.equal(readStatus(dir, 'persist:a').revision, 2);
  });
});
