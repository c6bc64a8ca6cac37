// @ts-check
'use strict';

// The handlers the adapter installs, called the way Electron calls them
// (docs/electron-facts.md §5, §7, §8), on every vector of the shared file
// providers/testdata/decisions.json: each table goes into a profile, the
// adapter installs its handler on a recording session, and the handler's
// answer must be the vector's expected decision.

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const sessctl = require('..');
const { FakeSessionModule, FakeDesktopCapturer } = require('./fake-session');
const { writeDir, tempDir } = require('./helpers');

const VECTORS = path.join(__dirname, '..', '..', '..', 'providers', 'testdata', 'decisions.json');
/** @type {{tables: Record<string, any>, vectors: Array<{id: string, family: string, table: string, request: any, expected: any}>}} */
const file = JSON.parse(fs.readFileSync(VECTORS, 'utf8'));

const FIELD = { permissions: 'permissions', certificates: 'certificateRules', serial: 'serialRules', display_media: 'displayMedia', downloads: 'downloads', devices: 'devices' };

/** One partition per table of the vector file. */
const dir = tempDir();
const mod = new FakeSessionModule();
/** The desktopCapturer the displayMedia handlers list sources with; each vector sets its sources. */
const capturer = new FakeDesktopCapturer([]);
/** @type {Map<string, string>} table name -> partition */
const partitionOf = new Map();

before(async () => {
  const specs = [];
  for (const [name, table] of Object.entries(file.tables)) {
    const family = name.startsWith('perm-') ? 'permissions' : name.startsWith('cert-') ? 'certificates' : name.startsWith('dm-') ? 'display_media' : name.startsWith('dl-') ? 'downloads' : name.startsWith('dev-') ? 'devices' : 'serial';
    const partition = 'persist:' + name;
    partitionOf.set(name, partition);
    specs.push({ partition, revision: 1, fields: table === null ? {} : { [FIELD[family]]: table } });
  }
  writeDir(dir, specs);
  const adapter = new sessctl.Adapter({ dir, session: mod, desktopCapturer: capturer });
  const r = await adapter.sync();
  adapter.close();
  assert.equal(r.applied.length, specs.length);
  for (const s of specs) assert.deepEqual(adapter.status(s.partition)?.errors, [], s.partition);
});

after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** @type {any} */
const noWebContents = null;

/**
 * @param {any} v
 * @returns {'allow'|'deny'}
 */
function askPermission(v) {
  const ses = mod.get(/** @type {string} */ (partitionOf.get(v.table)));
  const r = v.request;
  if (r.handler === 'request') {
    const handler = ses.requestHandler;
    if (handler === null) return electronDefault(r);
    /** @type {any} */
    const details = { requestingUrl: r.origin, isMainFrame: r.isMainFrame };
    if (r.mediaTypes !== undefined) details.mediaTypes = r.mediaTypes;
    if (r.externalURL !== undefined) details.externalURL = r.externalURL;
    /** @type {boolean[]} */
    const answers = [];
    handler(noWebContents, r.permission, (granted) => answers.push(granted), details);
    assert.equal(answers.length, 1, 'the callback is called exactly once, synchronously');
    assert.equal(typeof answers[0], 'boolean');
    return answers[0] ? 'allow' : 'deny';
  }
  const handler = ses.checkHandler;
  if (handler === null) return electronDefault(r);
  assert.ok(!r.mediaTypes || r.mediaTypes.length <= 1, 'a check carries one details.mediaType');
  /** @type {any} */
  const details = { isMainFrame: r.isMainFrame };
  if (r.mediaTypes && r.mediaTypes.length === 1) details.mediaType = r.mediaTypes[0];
  const granted = handler(noWebContents, r.permission, r.origin, details);
  assert.equal(typeof granted, 'boolean');
  return granted ? 'allow' : 'deny';
}

/**
 * Without a handler Electron grants everything but the
 * deprecated-sync-clipboard-read check (electron_permission_manager.cc).
 * @param {any} r
 * @returns {'allow'|'deny'}
 */
function electronDefault(r) {
  return r.handler === 'check' && r.permission === 'deprecated-sync-clipboard-read' ? 'deny' : 'allow';
}

describe('permission handlers on the shared vectors', () => {
  for (const v of file.vectors.filter((x) => x.family === 'permissions')) {
    it(`${v.id} ${v.table} ${v.request.handler} ${v.request.permission}`, () => {
      const ses = mod.get(/** @type {string} */ (partitionOf.get(v.table)));
      assert.equal(ses.requestHandler === null, file.tables[v.table] === null, 'a handler exactly when the table exists');
      assert.equal(askPermission(v), v.expected.decision);
    });
  }
});

describe('certificate verify proc on the shared vectors', () => {
  for (const v of file.vectors.filter((x) => x.family === 'certificates')) {
    it(`${v.id} ${v.table} ${JSON.stringify(v.request.hostname)}`, () => {
      const ses = mod.get(/** @type {string} */ (partitionOf.get(v.table)));
      const proc = ses.verifyProc;
      if (file.tables[v.table] === null) {
        assert.equal(proc, null);
        assert.equal(v.expected.source, 'no-proc');
        return;
      }
      assert.ok(proc);
      /** @type {number[]} */
      const codes = [];
      if (v.request.spki !== undefined) return; // hashes, not certificates: see the pins test below
      const cond = file.tables[v.table].formatVersion === 2;
      /** @type {Electron.Request} */
      const request = {
        hostname: v.request.hostname,
        certificate: /** @type {any} */ ({ issuerName: v.request.issuerName }), validatedCertificate: /** @type {any} */ ({}),
        isIssuedByKnownRoot: v.request.isIssuedByKnownRoot === true,
        verificationResult: cond ? '' : 'net::ERR_CERT_AUTHORITY_INVALID',
        errorCode: cond ? (v.request.errorCode ?? 0) : -202,
      };
      proc(request, (code) => codes.push(code));
      assert.deepEqual(codes, [v.expected.code]);
    });
  }
});

describe('certificate pins through the verify proc, with real certificates', () => {
  // providers/testdata/certs: a leaf for api.corp.example signed by a test
  // root; their pins were computed with OpenSSL (certs/README.md).
  const certs = path.join(__dirname, '..', '..', '..', 'providers', 'testdata', 'certs');
  const LEAF_PIN = 'b8yj3rlwiujgnOl2BpjJPHOyy6yzNbDkcpOToxtlMW4=';
  const CA_PIN = '006AmuA5nx4/Ugw61bhnocMDMTh84/tfq/lG7XU4ANo=';
  const leafPem = fs.readFileSync(path.join(certs, 'leaf.pem'), 'utf8');
  const caPem = fs.readFileSync(path.join(certs, 'ca.pem'), 'utf8');
  const { spkiHash } = require('../lib/decide');

  it('computes the pins OpenSSL computes', () => {
    assert.equal(spkiHash(leafPem), LEAF_PIN);
    assert.equal(spkiHash(caPem), CA_PIN);
    assert.equal(spkiHash('not a certificate'), '');
  });

  /**
   * @param {string[]} pins
   * @param {number} errorCode
   * @param {boolean} sendRoot whether the presented and validated chains carry the root.
   */
  async function decide(pins, errorCode, sendRoot) {
    const d = tempDir();
    const m = new FakeSessionModule();
    const table = {
      formatVersion: 2, defaultCode: -3,
      rules: [{ pattern: 'api.corp.example', match: 'exact', host: 'api.corp.example', verify: 'accept', code: 0, pins }],
    };
    writeDir(d, [{ partition: 'persist:p', revision: 1, fields: { certificateRules: table } }]);
    const adapter = new sessctl.Adapter({ dir: d, session: m });
    await adapter.sync();
    adapter.close();
    fs.rmSync(d, { recursive: true, force: true });
    const root = { data: caPem, issuerName: 'sessctl Test Root CA' };
    const leaf = { data: leafPem, issuerName: 'sessctl Test Root CA', issuerCert: sendRoot ? root : undefined };
    /** @type {number[]} */
    const codes = [];
    const proc = m.get('persist:p').verifyProc;
    assert.ok(proc);
    proc(/** @type {any} */ ({
      hostname: 'api.corp.example', certificate: leaf, validatedCertificate: leaf,
      isIssuedByKnownRoot: false, verificationResult: errorCode === 0 ? 'net::OK' : 'net::ERR_CERT_AUTHORITY_INVALID', errorCode,
    }), (/** @type {number} */ c) => codes.push(c));
    return codes[0];
  }

  it('a pinned leaf key is accepted, also when Chromium refused the chain', async () => {
    assert.equal(await decide([LEAF_PIN], 0, true), 0);
    assert.equal(await decide([LEAF_PIN], -202, false), 0);
  });
  it('a pinned root counts only in a chain Chromium verified', async () => {
    assert.equal(await decide([CA_PIN], 0, true), 0);
    // -202: the root the server sent is unauthenticated; the rule does not apply.
    assert.equal(await decide([CA_PIN], -202, true), -3);
  });
  it('no pinned key: the rule does not apply', async () => {
    assert.equal(await decide(['AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='], 0, true), -3);
  });
});

describe('select-serial-port listener on the shared vectors', () => {
  for (const v of file.vectors.filter((x) => x.family === 'serial')) {
    it(`${v.id} ${v.table}`, () => {
      const ses = mod.get(/** @type {string} */ (partitionOf.get(v.table)));
      const listeners = ses.listeners.get('select-serial-port') || [];
      if (file.tables[v.table] === null) {
        // No listener: Electron cancels the request itself.
        assert.equal(listeners.length, 0);
        assert.equal(v.expected.portId, '');
        return;
      }
      assert.equal(listeners.length, 1);
      let prevented = 0;
      const event = { preventDefault: () => { prevented++; }, defaultPrevented: false };
      /** @type {string[]} */
      const picked = [];
      listeners[0](event, v.request.ports, noWebContents, (/** @type {string} */ id) => picked.push(id));
      assert.equal(prevented, 1, 'event.preventDefault() is called');
      assert.deepEqual(picked, [v.expected.portId]);
    });
  }
});

describe('handler arguments', () => {
  const table = {
    formatVersion: 1, default: 'deny', rules: [
      { name: 'mic', decision: 'allow', handlers: ['request', 'check'], permissions: ['media'], origins: null, mediaTypes: ['audio'], externalUrls: null, mainFrameOnly: true },
      { name: 'mail', decision: 'allow', handlers: ['request'], permissions: ['openExternal'], origins: null, mediaTypes: null, externalUrls: [{ source: 'mailto:*', scheme: 'mailto', anyUrl: true }], mainFrameOnly: false },
    ],
  };
  /** @type {InstanceType<typeof FakeSessionModule>} */
  let m;
  const d = tempDir();
  before(async () => {
    m = new FakeSessionModule();
    writeDir(d, [{ partition: 'persist:h', revision: 1, fields: { permissions: table } }]);
    await sessctl.applyOnce({ dir: d, session: m });
  });
  after(() => fs.rmSync(d, { recursive: true, force: true }));

  /**
   * @param {string} permission
   * @param {any} details
   */
  const request = (permission, details) => {
    /** @type {boolean[]} */
    const out = [];
    const h = m.get('persist:h').requestHandler;
    assert.ok(h);
    h(noWebContents, /** @type {any} */ (permission), (g) => out.push(g), details);
    return out;
  };

  const cases = [
    { name: 'media request uses details.mediaTypes', permission: 'media', details: { requestingUrl: 'https://a/', isMainFrame: true, mediaTypes: ['audio'] }, want: [true] },
    { name: 'media request with video is not covered by an audio-only allow', permission: 'media', details: { requestingUrl: 'https://a/', isMainFrame: true, mediaTypes: ['audio', 'video'] }, want: [false] },
    { name: 'mainFrameOnly uses details.isMainFrame', permission: 'media', details: { requestingUrl: 'https://a/', isMainFrame: false, mediaTypes: ['audio'] }, want: [false] },
    { name: 'openExternal uses details.externalURL', permission: 'openExternal', details: { requestingUrl: 'https://a/', isMainFrame: true, externalURL: 'mailto:x@y.example' }, want: [true] },
    { name: 'openExternal to another scheme falls to the default', permission: 'openExternal', details: { requestingUrl: 'https://a/', isMainFrame: true, externalURL: 'https://y.example/' }, want: [false] },
    { name: 'details without requestingUrl does not throw', permission: 'notifications', details: { isMainFrame: true }, want: [false] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(request(c.permission, c.details), c.want));
  }

  it('check handler: details.mediaType becomes the media list', () => {
    const h = m.get('persist:h').checkHandler;
    assert.ok(h);
    assert.equal(h(noWebContents, 'media', 'https://a', { isMainFrame: true, mediaType: 'audio' }), true);
    assert.equal(h(noWebContents, 'media', 'https://a', { isMainFrame: true, mediaType: 'video' }), false);
    assert.equal(h(noWebContents, 'media', 'https://a', { isMainFrame: false, mediaType: 'audio' }), false);
  });
});

describe('display media handler on the shared vectors', () => {
  for (const v of file.vectors.filter((x) => x.family === 'display_media')) {
    it(`${v.id} ${v.table} ${JSON.stringify(v.request.origin)}`, async () => {
      const ses = mod.get(/** @type {string} */ (partitionOf.get(v.table)));
      const handler = ses.displayMediaHandler;
      if (file.tables[v.table] === null) {
        // No handler: Electron rejects getDisplayMedia itself.
        assert.equal(handler, null);
        assert.equal(v.expected.reason, 'no-handler');
        return;
      }
      assert.ok(handler);
      assert.deepEqual(ses.displayMediaOpts, { useSystemPicker: file.tables[v.table].useSystemPicker });
      // Electron lists the sources of the requested types in its own
      // order; the fake keeps the vector's order.
      capturer.sources = v.request.sources.map((/** @type {any} */ s) => ({ id: s.id, name: s.name }))
        .filter((/** @type {any} */ s) => ['screen', 'window'].includes(s.id.split(':')[0]));
      /** @type {Array<Electron.Streams|null>} */
      const answers = [];
      await new Promise((resolve) => {
        handler(/** @type {any} */ ({ securityOrigin: v.request.origin, audioRequested: v.request.audioRequested, videoRequested: true, userGesture: true, frame: null }),
          (streams) => { answers.push(streams); resolve(undefined); });
      });
      assert.equal(answers.length, 1);
      const got = answers[0];
      if (!v.expected.allow) {
        assert.equal(got, null, 'denied with callback(null)');
        return;
      }
      assert.ok(got && got.video);
      assert.equal(/** @type {any} */ (got.video).id, v.expected.source.id);
      assert.equal(/** @type {any} */ (got.video).name, v.expected.source.name);
      assert.equal(got.audio, v.expected.audio === null ? undefined : v.expected.audio);
    });
  }
});

/**
 * A DownloadItem as will-download hands it over, recording the calls the
 * listener makes.
 * @param {any} r a downloads vector's request.
 */
function fakeItem(r) {
  /** @type {any[][]} */
  const calls = [];
  const item = {
    getURL: () => r.url, getFilename: () => r.filename, getMimeType: () => r.mimeType, getTotalBytes: () => r.totalBytes,
    /** @param {string} p */
    setSavePath: (p) => calls.push(['setSavePath', p]),
    cancel: () => calls.push(['cancel']),
  };
  return { item, calls };
}

describe('will-download listener on the shared vectors', () => {
  for (const v of file.vectors.filter((x) => x.family === 'downloads')) {
    it(`${v.id} ${v.table} ${JSON.stringify(v.request.filename)}`, () => {
      const ses = mod.get(/** @type {string} */ (partitionOf.get(v.table)));
      const { item, calls } = fakeItem(v.request);
      ses.emit('will-download', item, null);
      const want = v.expected.decision === 'save' ? [['setSavePath', v.expected.path]]
        : v.expected.decision === 'cancel' ? [['cancel']] : [];
      assert.deepEqual(calls, want, 'save: setSavePath(directory/name); cancel: cancel(); ask and no block: nothing, so Electron shows its dialog');
    });
  }
});

describe('device handlers and choosers on the shared vectors', () => {
  for (const v of file.vectors.filter((x) => x.family === 'devices')) {
    it(`${v.id} ${v.table} ${v.request.type}`, () => {
      const ses = mod.get(/** @type {string} */ (partitionOf.get(v.table)));
      const r = v.request;
      const table = file.tables[v.table];
      // The frame of a chooser or pairing request: null when it is gone.
      const frame = r.origin === '' ? null : { origin: r.origin };
      if (r.type === 'bluetooth') {
        if (table === null || table.bluetooth.length === 0) {
          // No handler: Electron cancels the pairing.
          assert.equal(ses.bluetoothPairingHandler, null);
          assert.equal(v.expected.allow, false);
          return;
        }
        /** @type {unknown[]} */
        const answers = [];
        /** @type {any} */ (ses.bluetoothPairingHandler)({ deviceId: 'd', pairingKind: r.pairingKind, frame }, (/** @type {unknown} */ x) => answers.push(x));
        assert.deepEqual(answers, [{ confirmed: v.expected.allow }]);
        return;
      }
      if (r.deviceList !== undefined) {
        if (r.type !== 'hid' && r.type !== 'usb') return; // serial selection is the serial family's
        /** @type {unknown[][]} */
        const answers = [];
        const ev = ses.emit(`select-${r.type}-device`, { deviceList: r.deviceList, frame }, (/** @type {unknown[]} */ ...args) => answers.push(args));
        // No listener: Electron cancels (the default is not prevented).
        assert.equal(ev.defaultPrevented, table !== null);
        if (table !== null) assert.deepEqual(answers, [v.expected.allow ? [v.expected.deviceId] : []]);
        return;
      }
      const handler = ses.devicePermissionHandler;
      assert.equal(handler === null, table === null, 'a handler exactly when the table exists');
      if (handler === null) return;
      assert.equal(handler({ deviceType: r.type, origin: r.origin, device: r.device }), v.expected.allow);
    });
  }
});
