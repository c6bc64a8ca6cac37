// @ts-check
'use strict';

// The registered field entries (lib/fields/): the order and the
// constraints it is computed from, that the table covers every field the Go
// side renders, unknown fields, validation, and the status members the
// entries read back.

const { describe, it, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const sessctl = require('..');
const { FIELD_ORDER } = require('../lib/apply');
const { TABLE, ENTRIES, checkStatusMembers } = require('../lib/fields');
const { buildTable, PHASES } = require('../lib/table');
const { STATUS_MEMBERS } = require('../lib/status');
const { FakeSession, FakeSessionModule } = require('./fake-session');
const { writeDir, tempDir } = require('./helpers');

/** @typedef {import('../lib/table').AnyEntry} AnyEntry */

const ROOT = path.join(__dirname, '..', '..', '..');

/** @type {string[]} */
const dirs = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/**
 * Applies revisions of one partition in turn; returns the calls each made.
 * @param {Array<Record<string, unknown>>} revisions
 * @param {(m: InstanceType<typeof FakeSessionModule>) => void} [prepare]
 */
async function applyRevisions(revisions, prepare) {
  const dir = tempDir();
  dirs.push(dir);
  const mod = new FakeSessionModule();
  if (prepare) prepare(mod);
  const adapter = new sessctl.Adapter({ dir, session: mod });
  /** @type {Array<Array<{method: string, args: unknown[]}>>} */
  const out = [];
  for (const [i, fields] of revisions.entries()) {
    writeDir(dir, [{ partition: 'persist:t', revision: i + 1, fields }]);
    await adapter.sync();
    out.push(mod.get('persist:t').take());
  }
  adapter.close();
  return { calls: out, status: adapter.status('persist:t'), mod };
}

/** Which field each Electron method the adapter calls belongs to. */
const FIELD_OF_METHOD = {
  setPermissionRequestHandler: 'permissions', setPermissionCheckHandler: 'permissions',
  setCertificateVerifyProc: 'certificateRules', on: 'serialRules', removeListener: 'serialRules',
  setProxy: 'proxy', closeAllConnections: 'proxy', setSSLConfig: 'sslConfig', setUserAgent: 'userAgent',
  setDownloadPath: 'downloadPath', registerPreloadScript: 'preloads', unregisterPreloadScript: 'preloads', setPreloads: 'preloads',
  setSpellCheckerLanguages: 'spellChecker', setSpellCheckerEnabled: 'spellChecker',
  setSpellCheckerDictionaryDownloadURL: 'spellChecker', listWordsInSpellCheckerDictionary: 'spellChecker',
  addWordToSpellCheckerDictionary: 'spellChecker', removeWordFromSpellCheckerDictionary: 'spellChecker',
  'extensions.loadExtension': 'extensions', 'extensions.removeExtension': 'extensions',
  enableNetworkEmulation: 'networkEmulation', disableNetworkEmulation: 'networkEmulation',
  allowNTLMCredentialsForDomains: 'ntlmDomains', preconnect: 'preconnect',
};

/**
 * @param {string} field
 * @returns {AnyEntry}
 */
function entry(field) {
  const e = TABLE.byField.get(field);
  assert.ok(e, field);
  return e;
}

/**
 * The fields an entry must come after: its `after`, and every entry of an
 * earlier phase.
 * @param {AnyEntry} e
 */
function mustFollow(e) {
  const rank = PHASES.indexOf(e.phase || 'configure');
  return [
    ...(e.after || []),
    ...TABLE.order.filter((x) => PHASES.indexOf(x.phase || 'configure') < rank).map((x) => x.field),
  ];
}

describe('order', () => {
  it('is the order the adapter applied fields in before the table', () => {
    assert.deepEqual(FIELD_ORDER, [
      'permissions', 'certificateRules', 'serialRules', 'displayMedia', 'downloads', 'devices', 'webRequest',
      'proxy', 'sslConfig', 'userAgent', 'acceptLanguages', 'downloadPath',
      'preloadApi', 'preloads', 'spellChecker', 'extensions', 'networkEmulation',
      'ntlmDomains', 'maintenance', 'cookies', 'preconnect',
    ]);
    assert.equal(sessctl.FIELD_ORDER, FIELD_ORDER);
  });

  it('encodes the constraints: handlers first, the network settings before extensions, preconnect last and after proxy', () => {
    for (const f of ['permissions', 'certificateRules', 'serialRules', 'displayMedia', 'downloads', 'devices', 'webRequest']) assert.equal(entry(f).phase, 'policy', f);
    assert.equal(entry('preconnect').phase, 'connect');
    assert.deepEqual(entry('preconnect').after, ['proxy', 'maintenance']);
    assert.equal(entry('maintenance').phase, 'connect');
    assert.deepEqual(entry('maintenance').after, ['proxy']);
    assert.deepEqual(entry('extensions').after, ['proxy', 'sslConfig', 'userAgent']);
    assert.deepEqual(TABLE.order.filter((e) => e.phase === 'policy').map((e) => e.field), ['permissions', 'certificateRules', 'serialRules', 'displayMedia', 'downloads', 'devices', 'webRequest']);
    assert.deepEqual(TABLE.order.filter((e) => e.phase === 'connect').map((e) => e.field), ['maintenance', 'cookies', 'preconnect']);
  });

  it('respects every constraint of every entry', () => {
    const pos = new Map(FIELD_ORDER.map((f, i) => [f, i]));
    for (const e of TABLE.order) {
      for (const before of mustFollow(e)) {
        assert.ok(/** @type {number} */ (pos.get(before)) < /** @type {number} */ (pos.get(e.field)), `${before} before ${e.field}`);
      }
    }
  });

  it('comes from the constraints, not the list: any registration order gives an order that respects them', () => {
    const pos = (/** @type {string[]} */ order) => new Map(order.map((f, i) => [f, i]));
    const lists = [[...ENTRIES].reverse(), [...ENTRIES].sort((a, b) => (a.field < b.field ? -1 : 1))];
    for (let k = 0; k < 20; k++) {
      // A fixed shuffle per k (no randomness across runs).
      lists.push([...ENTRIES].map((e, i) => ({ e, key: (i * 7919 + k * 104729) % 97 })).sort((a, b) => a.key - b.key).map((x) => x.e));
    }
    for (const list of lists) {
      const t = buildTable(list);
      const p = pos(t.order.map((e) => e.field));
      for (const e of t.order) {
        for (const before of mustFollow(e)) {
          assert.ok(/** @type {number} */ (p.get(before)) < /** @type {number} */ (p.get(e.field)), `${before} before ${e.field} in ${list.map((x) => x.field)}`);
        }
      }
    }
  });

  it('the calls of a whole profile follow the constraints', async () => {
    const id = 'pafcpbhmbnddocoeepgeoifhhoamcjbp';
    const all = {
      permissions: { formatVersion: 1, default: 'deny', rules: [] },
      certificateRules: { formatVersion: 1, defaultCode: -3, rules: [] },
      serialRules: { formatVersion: 1, rules: [] },
      proxy: { mode: 'direct' },
      sslConfig: { minVersion: 'tls1.3' },
      userAgent: 'UA/1',
      acceptLanguages: 'fr',
      downloadPath: '/tmp/dl',
      spellChecker: { languages: ['fr'], words: ['x'] },
      extensions: [{ name: 'e', path: '/opt/ext/e', id, version: '1', allowFileAccess: false }],
      networkEmulation: { offline: false, latency: 0, downloadThroughput: 0, uploadThroughput: 0 },
      ntlmDomains: 'intranet',
      preconnect: { url: 'https://a.example', numSockets: 1 },
    };
    // Second revision: every field changed, so every entry runs again.
    const all2 = {
      ...all,
      proxy: { mode: 'system' }, sslConfig: { minVersion: 'tls1.2' }, userAgent: 'UA/2', downloadPath: '/tmp/dl2',
      spellChecker: { languages: ['de'] }, networkEmulation: { ...all.networkEmulation, offline: true },
      ntlmDomains: 'x', preconnect: { url: 'https://b.example', numSockets: 2 },
      permissions: { ...all.permissions, default: 'allow' }, certificateRules: { ...all.certificateRules, defaultCode: -2 },
      serialRules: { formatVersion: 1, rules: [{ vendorId: '1' }] },
      extensions: [{ ...all.extensions[0], allowFileAccess: true }],
    };
    const { calls, status } = await applyRevisions([all, all2], (m) => {
      m.fromPartition('persist:t').extensions.disk.set('/opt/ext/e', { id, version: '1' });
    });
    assert.ok(status);
    assert.deepEqual(status.errors, []);
    for (const revisionCalls of calls) {
      const fields = revisionCalls.map((c) => /** @type {Record<string, string>} */ (FIELD_OF_METHOD)[c.method]);
      assert.ok(!fields.includes(/** @type {any} */ (undefined)), `a method without a field: ${revisionCalls.map((c) => c.method)}`);
      for (const e of TABLE.order) {
        const first = fields.indexOf(e.field);
        if (first < 0) continue;
        for (const before of mustFollow(e)) {
          assert.ok(fields.lastIndexOf(before) < first, `${before}'s calls before ${e.field}'s: ${revisionCalls.map((c) => c.method)}`);
        }
      }
      // Within proxy: setProxy, then closeAllConnections, both before preconnect.
      const m = revisionCalls.map((c) => c.method);
      assert.ok(m.indexOf('setProxy') < m.indexOf('closeAllConnections'));
      assert.ok(m.indexOf('closeAllConnections') < m.indexOf('preconnect'));
    }
  });

  it('a partition that leaves index.json is undone in the detach order', async () => {
    assert.deepEqual(TABLE.detachOrder.map((e) => e.field),
      ['permissions', 'certificateRules', 'serialRules', 'displayMedia', 'downloads', 'devices', 'webRequest', 'extensions', 'preloads', 'networkEmulation', 'sslConfig', 'cookies']);
    const dir = tempDir();
    const scripts = tempDir();
    dirs.push(dir, scripts);
    const filePath = path.join(scripts, 'p.js');
    fs.writeFileSync(filePath, '//\n');
    const id = 'pafcpbhmbnddocoeepgeoifhhoamcjbp';
    const mod = new FakeSessionModule();
    mod.fromPartition('persist:t').extensions.disk.set('/opt/ext/e', { id, version: '1' });
    const adapter = new sessctl.Adapter({ dir, session: mod });
    writeDir(dir, [{
      partition: 'persist:t', revision: 1, fields: {
        sslConfig: { minVersion: 'tls1.3' },
        networkEmulation: { offline: true, latency: 0, downloadThroughput: 0, uploadThroughput: 0 },
        preloadApi: 'registerPreloadScript',
        preloads: [{ id: 'p', type: 'frame', filePath, sha256: '' }],
        extensions: [{ name: 'e', path: '/opt/ext/e', id, version: '1', allowFileAccess: false }],
        serialRules: { formatVersion: 1, rules: [] },
        displayMedia: { formatVersion: 1, useSystemPicker: false, rules: [] },
        certificateRules: { formatVersion: 1, defaultCode: -3, rules: [] },
        permissions: { formatVersion: 1, default: 'deny', rules: [] },
        userAgent: 'kept',
      },
    }]);
    await adapter.sync();
    const ses = mod.get('persist:t');
    ses.take();
    writeDir(dir, []);
    const r = await adapter.sync();
    adapter.close();
    assert.deepEqual(r.removed, ['persist:t']);
    assert.deepEqual(ses.take().map((c) => [c.method, ...c.args]), [
      ['setPermissionRequestHandler', null], ['setPermissionCheckHandler', null],
      ['setCertificateVerifyProc', null],
      ['removeListener', 'select-serial-port'],
      ['setDisplayMediaRequestHandler', null],
      ['extensions.removeExtension', id],
      ['unregisterPreloadScript', 'p'],
      ['disableNetworkEmulation'],
      ['setSSLConfig', {}],
    ]);
  });
});

describe('complete', () => {
  const CORE = new Set(['format_version', 'partition', 'persistent', 'cache', 'revision', 'digest']);

  it('every field the Go side renders (reconcile/testdata/allfamilies/want.json) has an entry, and no entry is for a field it does not render', () => {
    const want = JSON.parse(fs.readFileSync(path.join(ROOT, 'reconcile', 'testdata', 'allfamilies', 'want.json'), 'utf8'));
    const rendered = Object.keys(want).filter((k) => !CORE.has(k)).sort();
    assert.deepEqual([...TABLE.byField.keys()].sort(), rendered);
  });

  it('every field of docs/profile-contract.md has an entry', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'profile-contract.md'), 'utf8');
    const rows = doc.split('\n').filter((l) => l.startsWith('| `'));
    const fields = rows.flatMap((l) => [...l.split('|')[1].matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1])).filter((f) => !CORE.has(f));
    assert.ok(fields.length >= 10, `parsed ${fields}`);
    assert.deepEqual([...new Set(fields)].sort(), [...TABLE.byField.keys()].sort());
  });

  it('every field is in the fields table of docs/electron-adapter.md', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs', 'electron-adapter.md'), 'utf8');
    const start = doc.indexOf('| Field | Calls when the field is new or changed |');
    assert.ok(start > 0);
    const table = doc.slice(start, doc.indexOf('\n\n', start));
    const fields = table.split('\n').flatMap((l) => [...(l.split('|')[1] || '').matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]));
    assert.deepEqual([...new Set(fields)].sort(), [...TABLE.byField.keys()].sort());
  });

  it('every entry says what happens when its field leaves the profile', () => {
    for (const e of TABLE.order) {
      if (e.appliedBy) continue;
      assert.ok(Boolean(e.reset) !== Boolean(e.retained), e.field);
    }
  });
});

describe('unknown fields', () => {
  it('are refused first, in profile order, with the message of before the table; the known fields still apply', async () => {
    const { calls, status } = await applyRevisions([{ zeta: 1, alpha: [true], userAgent: 'U', spellChecker: { languages: ['nope'] } }]);
    assert.deepEqual(calls[0].map((c) => c.method), ['setUserAgent', 'setSpellCheckerLanguages']);
    assert.ok(status);
    assert.equal(status.state, 'partial');
    // writeDir renders fields in key order, as sessctl does.
    assert.deepEqual(status.errors.slice(0, 2), ['alpha', 'zeta'].map((f) => ({
      field: f, call: null,
      message: `unknown profile field "${f}": this version of @sessctl/electron cannot apply it (written by a newer sessctl?); update the adapter`,
    })));
    assert.deepEqual(status.errors.slice(2).map((/** @type {{field: string}} */ e) => e.field), ['spellChecker']);
  });

  it('are refused again with every revision, and companions alone are not unknown', async () => {
    const { calls, status } = await applyRevisions([{ future: 1 }, { future: 1, acceptLanguages: 'fr', preloadApi: 'setPreloads' }], (m) => {
      // Electron < 35: the preloads entry's setPreloads shows it ran.
      Object.defineProperty(m.fromPartition('persist:t'), 'registerPreloadScript', { value: undefined });
    });
    assert.deepEqual(calls[1].map((c) => [c.method, ...c.args]), [['setUserAgent', 'Mozilla/5.0 Electron/45.5.0', 'fr'], ['setPreloads', []]]);
    assert.ok(status);
    assert.deepEqual(status.errors.map((/** @type {{field: string}} */ e) => e.field), ['future']);
  });
});

describe('validation', () => {
  const ODD = [null, 0, -1, 1.5, true, '', 'x', [], [null], [1, 'a'], {}, { formatVersion: 1 }, { formatVersion: 1, rules: null },
    { formatVersion: 1, default: 'deny', rules: [null] }, { formatVersion: 1, defaultCode: 0, rules: [{}] }, { languages: 5 }, { words: 'a' }];

  it('never throws, and returns a message or null', () => {
    for (const e of TABLE.order) {
      if (!e.validate) continue;
      for (const v of ODD) {
        const r = e.validate(v);
        assert.ok(r === null || (typeof r === 'string' && r.length > 0), `${e.field} ${JSON.stringify(v)}: ${r}`);
      }
    }
  });

  it('a companion that fails makes no call of its owner and is refused under its own name', async () => {
    const { calls, status } = await applyRevisions([{ userAgent: 'U', acceptLanguages: 7 }]);
    assert.deepEqual(calls[0], []);
    assert.ok(status);
    assert.deepEqual(status.errors, [{ field: 'acceptLanguages', call: null, message: 'acceptLanguages is not a string' }]);
  });
});

describe('the status file, typed and filled by the table', () => {
  it('a status member the status file has no place for fails at load', () => {
    /** @type {AnyEntry} */
    const future = { field: 'future', retained: true, apply: async () => {}, readBack: { none: { future_thing: null }, read: () => ({ future_thing: null }) } };
    assert.throws(() => checkStatusMembers(buildTable([...ENTRIES, future]), STATUS_MEMBERS), /status member future_thing is not in STATUS_MEMBERS/);
    assert.doesNotThrow(() => checkStatusMembers(TABLE, STATUS_MEMBERS));
  });

  it('puts every member the entries read back in the documented place', () => {
    assert.deepEqual(TABLE.readBackMembers.slice().sort(),
      ['extensions', 'preloads', 'spellchecker_enabled', 'spellchecker_languages', 'user_agent']);
    for (const m of TABLE.readBackMembers) assert.ok(STATUS_MEMBERS.includes(m), m);
  });

  it('each readBack reads the members its "none" declares, from a session, without throwing when the getters throw', () => {
    const ses = new FakeSession('persist:x');
    const throwing = new FakeSession('persist:y');
    throwing.getUserAgent = () => { throw new Error('x'); };
    throwing.getSpellCheckerLanguages = () => { throw new Error('x'); };
    throwing.isSpellCheckerEnabled = () => { throw new Error('x'); };
    for (const e of TABLE.order) {
      if (!e.readBack) continue;
      const state = e.state ? e.state() : undefined;
      assert.deepEqual(Object.keys(e.readBack.read(ses, state)), Object.keys(e.readBack.none), e.field);
      const r = e.readBack.read(throwing, state);
      assert.deepEqual(Object.keys(r), Object.keys(e.readBack.none), e.field);
    }
    assert.deepEqual(entry('userAgent').readBack?.read(throwing, undefined), { user_agent: null });
  });

  it('a partition without a session gets the "none" members', async () => {
    const dir = tempDir();
    dirs.push(dir);
    writeDir(dir, [{ partition: 'persist:a', revision: 1, fields: { userAgent: 'A' } }]);
    const mod = new FakeSessionModule();
    mod.fromPartition = () => { throw new Error('not ready'); };
    const adapter = new sessctl.Adapter({ dir, session: mod });
    await adapter.sync();
    adapter.close();
    const st = adapter.status('persist:a');
    assert.ok(st);
    assert.equal(st.state, 'rejected');
    assert.deepEqual(Object.keys(st), STATUS_MEMBERS);
    assert.deepEqual(
      { extensions: st.extensions, preloads: st.preloads, spellchecker_languages: st.spellchecker_languages, spellchecker_enabled: st.spellchecker_enabled, user_agent: st.user_agent },
      { extensions: [], preloads: [], spellchecker_languages: null, spellchecker_enabled: null, user_agent: null });
  });
});

describe('spellChecker.dictionaries', () => {
  // Chromium reads the files sessctl provisioned into <sessionData>/Dictionaries
  // itself (spellcheck_hunspell_dictionary.cc InitializeDictionaryLocation):
  // the member makes no Electron call, and a new pin alone calls nothing.
  it('makes no call and no error', async () => {
    /** @param {string} sha */
    const dict = (sha) => [{ language: 'fr', file: 'fr-FR-3-0.bdic', sha256: sha }];
    const { calls, status } = await applyRevisions([
      { spellChecker: { languages: ['fr'], dictionaries: dict('a'.repeat(64)) } },
      { spellChecker: { languages: ['fr'], dictionaries: dict('b'.repeat(64)) } },
    ]);
    assert.ok(status);
    assert.deepEqual(status.errors, []);
    assert.deepEqual(calls[0].map((c) => c.method), ['setSpellCheckerLanguages']);
    assert.deepEqual(calls[1], []);
  });
});
