// @ts-check
'use strict';

// Each profile field makes exactly the Electron calls docs/families.md,
// docs/proxy.md, docs/permissions.md, docs/certificates.md and
// docs/serial.md name, with the field's value as the argument.

const { describe, it, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const { Adapter } = require('..');
const { FakeSessionModule } = require('./fake-session');
const { writeDir, tempDir } = require('./helpers');

/** @type {string[]} */
const cleanup = [];
afterEach(() => {
  for (const d of cleanup.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/**
 * Applies one partition with the given fields to a fresh fake and returns
 * the calls its session received.
 * @param {Record<string, unknown>} fields
 * @param {{partition?: string, cache?: boolean, prepare?: (m: InstanceType<typeof FakeSessionModule>) => void}} [opts]
 */
async function callsFor(fields, opts = {}) {
  const dir = tempDir();
  cleanup.push(dir);
  const partition = opts.partition ?? 'persist:t';
  writeDir(dir, [{ partition, revision: 1, fields, cache: opts.cache }]);
  const mod = new FakeSessionModule();
  if (opts.prepare) opts.prepare(mod);
  const adapter = new Adapter({ dir, session: mod });
  const result = await adapter.sync();
  adapter.close();
  const ses = partition === '' ? mod.defaultSession : mod.get(partition);
  return { calls: ses.take(), mod, ses, result, status: adapter.status(partition), dir };
}

/** A preload script on disk and its sha256. */
function preloadFile() {
  const dir = tempDir();
  cleanup.push(dir);
  const file = path.join(dir, 'telemetry.js');
  fs.writeFileSync(file, 'console.log("telemetry")\n');
  return { file, sha256: crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') };
}

const PERMISSIONS = {
  formatVersion: 1, default: 'deny',
  rules: [{
    name: 'chat', decision: 'allow', handlers: ['request', 'check'], permissions: ['notifications', 'media'],
    origins: [{ source: 'https://chat.corp.example', scheme: 'https', host: 'chat.corp.example', subdomains: false, port: '*' }],
    mediaTypes: ['audio', 'video'], externalUrls: null, mainFrameOnly: false,
  }],
};
const CERTIFICATES = {
  formatVersion: 1, defaultCode: -3,
  rules: [
    { pattern: 'internal.corp.example', match: 'exact', host: 'internal.corp.example', verify: 'accept', code: 0 },
    { pattern: '*.dev.corp.example', match: 'subdomains', host: 'dev.corp.example', verify: 'net::ERR_CERT_AUTHORITY_INVALID', code: -202 },
  ],
};
const SERIAL = { formatVersion: 1, rules: [{ vendorId: '1027', productId: '24577' }, { vendorId: '9025', productId: '67' }] };

describe('one field, its calls', () => {
  const cases = [
    {
      name: 'proxy: setProxy with the field, then closeAllConnections',
      fields: { proxy: { mode: 'fixed_servers', proxyRules: 'http=proxy.corp.example:3128', proxyBypassRules: '<local>,*.corp.example' } },
      want: [
        ['setProxy', { mode: 'fixed_servers', proxyRules: 'http=proxy.corp.example:3128', proxyBypassRules: '<local>,*.corp.example' }],
        ['closeAllConnections'],
      ],
    },
    {
      name: 'sslConfig: setSSLConfig with the field',
      fields: { sslConfig: { minVersion: 'tls1.2', disabledCipherSuites: [156, 157] } },
      want: [['setSSLConfig', { minVersion: 'tls1.2', disabledCipherSuites: [156, 157] }]],
    },
    {
      name: 'userAgent alone: setUserAgent with one argument (Accept-Language unchanged)',
      fields: { userAgent: 'WorkApp/1.0' },
      want: [['setUserAgent', 'WorkApp/1.0']],
    },
    {
      name: 'userAgent and acceptLanguages: one setUserAgent(ua, langs)',
      fields: { userAgent: 'WorkApp/1.0', acceptLanguages: 'en-US,fr' },
      want: [['setUserAgent', 'WorkApp/1.0', 'en-US,fr']],
    },
    {
      name: 'acceptLanguages alone: the current user agent with the languages',
      fields: { acceptLanguages: 'de,en' },
      want: [['setUserAgent', 'Mozilla/5.0 Electron/45.5.0', 'de,en']],
    },
    {
      name: 'downloadPath: setDownloadPath',
      fields: { downloadPath: '/home/me/Downloads/work' },
      want: [['setDownloadPath', '/home/me/Downloads/work']],
    },
    {
      name: 'spellChecker: languages, enabled, URL, then the words missing from the dictionary',
      fields: { spellChecker: { enabled: true, languages: ['en-US', 'fr'], dictionaryDownloadURL: 'https://dicts.corp.example/hunspell/', words: ['Electron', 'sessctl'] } },
      want: [
        ['setSpellCheckerLanguages', ['en-US', 'fr']],
        ['setSpellCheckerEnabled', true],
        ['setSpellCheckerDictionaryDownloadURL', 'https://dicts.corp.example/hunspell/'],
        ['addWordToSpellCheckerDictionary', 'Electron'],
        ['addWordToSpellCheckerDictionary', 'sessctl'],
      ],
    },
    {
      name: 'spellChecker: an empty language list is passed as is (it disables spellchecking)',
      fields: { spellChecker: { languages: [] } },
      want: [['setSpellCheckerLanguages', []]],
    },
    {
      name: 'networkEmulation: enableNetworkEmulation with the four members',
      fields: { networkEmulation: { offline: false, latency: 150, downloadThroughput: 6400, uploadThroughput: 6400 } },
      want: [['enableNetworkEmulation', { offline: false, latency: 150, downloadThroughput: 6400, uploadThroughput: 6400 }]],
    },
    {
      name: 'ntlmDomains: allowNTLMCredentialsForDomains',
      fields: { ntlmDomains: '*.corp.example,intranet' },
      want: [['allowNTLMCredentialsForDomains', '*.corp.example,intranet']],
    },
    {
      name: 'preconnect: preconnect with the field',
      fields: { preconnect: { url: 'https://chat.corp.example', numSockets: 2 } },
      want: [['preconnect', { url: 'https://chat.corp.example', numSockets: 2 }]],
    },
    {
      name: 'permissions: the request and the check handler',
      fields: { permissions: PERMISSIONS },
      want: [['setPermissionRequestHandler', 'function'], ['setPermissionCheckHandler', 'function']],
    },
    {
      name: 'certificateRules: the verify proc',
      fields: { certificateRules: CERTIFICATES },
      want: [['setCertificateVerifyProc', 'function']],
    },
    {
      name: 'serialRules: a select-serial-port listener',
      fields: { serialRules: SERIAL },
      want: [['on', 'select-serial-port']],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { calls, status } = await callsFor(c.fields);
      assert.deepEqual(calls.map((x) => [x.method, ...x.args]), c.want);
      assert.ok(status);
      assert.deepEqual(status.errors, []);
      assert.equal(status.state, 'applied');
    });
  }

  it('extensions: ses.extensions.loadExtension(path, {allowFileAccess})', async () => {
    const id = 'pafcpbhmbnddocoeepgeoifhhoamcjbp';
    const { calls, status } = await callsFor({
      extensions: [{ name: 'devtools', path: '/opt/ext/devtools', id, version: '1.0.0', allowFileAccess: true }],
    }, {
      prepare: (m) => {
        m.fromPartition('persist:t').extensions.disk.set('/opt/ext/devtools', { id, version: '1.0.0' });
        m.get('persist:t').take();
      },
    });
    assert.deepEqual(calls.map((x) => [x.method, ...x.args]), [['extensions.loadExtension', '/opt/ext/devtools', { allowFileAccess: true }]]);
    assert.ok(status);
    assert.deepEqual(status.extensions, [{ name: 'devtools', id, version: '1.0.0', path: '/opt/ext/devtools' }]);
  });

  it('preloads: registerPreloadScript({type, id, filePath}) after checking the sha256', async () => {
    const p = preloadFile();
    const { calls, status } = await callsFor({
      preloadApi: 'registerPreloadScript',
      preloads: [{ id: 'telemetry', type: 'frame', filePath: p.file, sha256: p.sha256 }],
    });
    assert.deepEqual(calls.map((x) => [x.method, ...x.args]), [['registerPreloadScript', { type: 'frame', id: 'telemetry', filePath: p.file }]]);
    assert.ok(status);
    assert.deepEqual(status.preloads, ['telemetry']);
  });

  it('preloads: a script whose content changed since sessctl checked it is not registered', async () => {
    const p = preloadFile();
    fs.writeFileSync(p.file, 'steal()\n');
    const { calls, status } = await callsFor({
      preloadApi: 'registerPreloadScript',
      preloads: [{ id: 'telemetry', type: 'frame', filePath: p.file, sha256: p.sha256 }],
    });
    assert.deepEqual(calls, []);
    assert.ok(status);
    assert.equal(status.state, 'partial');
    assert.equal(status.errors.length, 1);
    assert.equal(status.errors[0].field, 'preloads');
    assert.match(status.errors[0].message, /does not match its sha256/);
  });

  it('preloads: setPreloads with the frame scripts where registerPreloadScript does not exist', async () => {
    const p = preloadFile();
    const { calls, status } = await callsFor({
      preloadApi: 'setPreloads',
      preloads: [{ id: 'telemetry', type: 'frame', filePath: p.file, sha256: p.sha256 }],
    }, {
      prepare: (m) => {
        // Electron < 35 has no registerPreloadScript.
        Object.defineProperty(m.fromPartition('persist:t'), 'registerPreloadScript', { value: undefined });
        m.get('persist:t').take();
      },
    });
    assert.deepEqual(calls.map((x) => [x.method, ...x.args]), [['setPreloads', [p.file]]]);
    assert.ok(status);
    assert.deepEqual(status.errors, []);
  });

  it('fromPartition gets the profile cache option; "" is the default session', async () => {
    const a = await callsFor({ userAgent: 'A' }, { partition: 'tenant:acme', cache: false });
    assert.deepEqual(a.mod.fromPartitionCalls, [{ partition: 'tenant:acme', options: { cache: false } }]);
    const d = await callsFor({ userAgent: 'D' }, { partition: '' });
    assert.deepEqual(d.mod.fromPartitionCalls, []);
    assert.deepEqual(d.calls.map((x) => [x.method, ...x.args]), [['setUserAgent', 'D']]);
  });

  it('a whole profile: handlers first, preconnect last', async () => {
    const p = preloadFile();
    const id = 'pafcpbhmbnddocoeepgeoifhhoamcjbp';
    const { calls, status } = await callsFor({
      acceptLanguages: 'en-US,fr',
      certificateRules: CERTIFICATES,
      downloadPath: '/tmp/dl',
      extensions: [{ name: 'devtools', path: '/opt/ext/devtools', id, version: '1.0.0', allowFileAccess: false }],
      networkEmulation: { offline: false, latency: 0, downloadThroughput: 0, uploadThroughput: 6400 },
      ntlmDomains: 'intranet',
      permissions: PERMISSIONS,
      preconnect: { url: 'https://a.example', numSockets: 1 },
      preloadApi: 'registerPreloadScript',
      preloads: [{ id: 'telemetry', type: 'frame', filePath: p.file, sha256: p.sha256 }],
      proxy: { mode: 'direct' },
      serialRules: SERIAL,
      spellChecker: { languages: ['fr'] },
      sslConfig: { minVersion: 'tls1.3' },
      userAgent: 'WorkApp/1.0',
    }, {
      prepare: (m) => {
        m.fromPartition('persist:t').extensions.disk.set('/opt/ext/devtools', { id, version: '1.0.0' });
        m.get('persist:t').take();
      },
    });
    assert.deepEqual(calls.map((x) => x.method), [
      'setPermissionRequestHandler', 'setPermissionCheckHandler', 'setCertificateVerifyProc', 'on',
      'setProxy', 'closeAllConnections', 'setSSLConfig', 'setUserAgent', 'setDownloadPath',
      'registerPreloadScript', 'setSpellCheckerLanguages', 'extensions.loadExtension',
      'enableNetworkEmulation', 'allowNTLMCredentialsForDomains', 'preconnect',
    ]);
    assert.ok(status);
    assert.deepEqual(status.errors, []);
  });
});

describe('what Electron refuses', () => {
  it('an exception becomes a field error with Electron\'s message; the other fields still apply', async () => {
    const { calls, status } = await callsFor({
      spellChecker: { languages: ['en-us'] },
      userAgent: 'UA/1',
    });
    assert.deepEqual(calls.map((x) => x.method), ['setUserAgent', 'setSpellCheckerLanguages']);
    assert.ok(status);
    assert.equal(status.state, 'partial');
    assert.deepEqual(status.errors, [{
      field: 'spellChecker', call: 'setSpellCheckerLanguages',
      message: 'Invalid language code provided: "en-us" is not a valid language code',
    }]);
    assert.equal(status.user_agent, 'UA/1');
  });

  it('a rejected setProxy is reported and closeAllConnections is not called', async () => {
    const { calls, status } = await callsFor({ proxy: { mode: 'bogus' } }, {
      prepare: (m) => {
        m.fromPartition('persist:t').failures.set('setProxy', new Error('Invalid mode, must be one of direct, auto_detect, pac_script, fixed_servers or system'));
        m.get('persist:t').take();
      },
    });
    assert.deepEqual(calls.map((x) => x.method), ['setProxy']);
    assert.ok(status);
    assert.deepEqual(status.errors, [{ field: 'proxy', call: 'setProxy', message: 'Invalid mode, must be one of direct, auto_detect, pac_script, fixed_servers or system' }]);
  });

  it('words Electron does not take (in-memory session) are reported', async () => {
    const { status } = await callsFor({ spellChecker: { words: ['sessctl'] } }, { partition: 'tenant:x' });
    assert.ok(status);
    assert.deepEqual(status.errors, [{ field: 'spellChecker', call: 'addWordToSpellCheckerDictionary', message: 'addWordToSpellCheckerDictionary("sessctl") returned false' }]);
  });

  it('an extension that fails to load is reported with Electron\'s message', async () => {
    const { status } = await callsFor({
      extensions: [{ name: 'gone', path: '/opt/ext/gone', id: 'a'.repeat(32), version: '1', allowFileAccess: false }],
    });
    assert.ok(status);
    assert.deepEqual(status.errors, [{ field: 'extensions', call: 'loadExtension', message: 'Loading extension at /opt/ext/gone failed with: Manifest file is missing or unreadable' }]);
    assert.deepEqual(status.extensions, []);
  });

  it('an extension Electron loads under another ID than sessctl computed is reported', async () => {
    const { status } = await callsFor({
      extensions: [{ name: 'x', path: '/opt/ext/x', id: 'a'.repeat(32), version: '1', allowFileAccess: false }],
    }, {
      prepare: (m) => {
        m.fromPartition('persist:t').extensions.disk.set('/opt/ext/x', { id: 'b'.repeat(32), version: '1' });
      },
    });
    assert.ok(status);
    assert.equal(status.errors.length, 1);
    assert.match(status.errors[0].message, /loaded with ID b{32}, sessctl computed a{32}/);
    assert.deepEqual(status.extensions.map((/** @type {{id: string}} */ e) => e.id), ['b'.repeat(32)]);
  });

  it('a permissions table of an unknown formatVersion on a fresh session: handlers that deny everything', async () => {
    const { calls, status, ses } = await callsFor({ permissions: { ...PERMISSIONS, formatVersion: 2 } });
    // Without handlers Electron would grant every request.
    assert.deepEqual(calls.map((x) => [x.method, ...x.args]), [['setPermissionRequestHandler', 'function'], ['setPermissionCheckHandler', 'function']]);
    assert.ok(status);
    assert.equal(status.errors[0].field, 'permissions');
    assert.equal(status.errors[0].call, null);
    assert.match(status.errors[0].message, /formatVersion 2; this adapter knows 1.*every permission request and check is denied/);
    /** @type {boolean[]} */
    const got = [];
    assert.ok(ses.requestHandler && ses.checkHandler);
    ses.requestHandler(/** @type {any} */ (null), 'notifications', (g) => got.push(g), { requestingUrl: 'https://chat.corp.example/', isMainFrame: true });
    assert.deepEqual(got, [false]);
    assert.equal(ses.checkHandler(null, 'notifications', 'https://chat.corp.example', { isMainFrame: true }), false);
  });

  it('certificate and serial tables of an unknown formatVersion install nothing (Chromium verifies, Electron cancels)', async () => {
    const { calls, status } = await callsFor({ certificateRules: { ...CERTIFICATES, formatVersion: 3 }, serialRules: { ...SERIAL, formatVersion: 3 } });
    assert.deepEqual(calls, []);
    assert.ok(status);
    assert.deepEqual(status.errors.map((/** @type {{field: string}} */ e) => e.field), ['certificateRules', 'serialRules']);
    assert.match(status.errors[0].message, /Chromium's own verification decides/);
    assert.match(status.errors[1].message, /Electron cancels every port request/);
  });

  it('a field this adapter does not know is reported, the others apply', async () => {
    const { calls, status } = await callsFor({ futureThing: { x: 1 }, userAgent: 'U' });
    assert.deepEqual(calls.map((x) => x.method), ['setUserAgent']);
    assert.ok(status);
    assert.equal(status.errors.length, 1);
    assert.equal(status.errors[0].field, 'futureThing');
    assert.equal(status.errors[0].call, null);
  });
});
