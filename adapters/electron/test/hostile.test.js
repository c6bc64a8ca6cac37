// @ts-check
'use strict';

// Profiles with values of every wrong shape (a digest-valid profile from a
// buggy or newer sessctl): a sync never throws, always writes a status, and
// any handler it installs answers every call exactly once without throwing.

const { it, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const sessctl = require('..');
const { FIELD_ORDER } = require('../lib/apply');
const { FakeSessionModule } = require('./fake-session');
const { writeDir, tempDir } = require('./helpers');

/**
 * A small deterministic PRNG (mulberry32), so that a failure reproduces.
 * @param {number} seed
 */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STRINGS = ['', '*', 'allow', 'deny', 'request', 'check', 'media', 'https', 'https://a.example/', 'a.example',
  '[::1]', 'exact', 'domain', 'subdomains', 'any', 'frame', 'service-worker', 'relative/path', '/abs/path', '\u2028', 'en-US'];

/**
 * @param {() => number} r
 * @param {number} depth
 * @returns {unknown}
 */
function value(r, depth) {
  const k = Math.floor(r() * (depth > 2 ? 5 : 8));
  switch (k) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: return Math.floor(r() * 7) - 3;
    case 3: return STRINGS[Math.floor(r() * STRINGS.length)];
    case 4: return r() * 1e6;
    case 5: return Array.from({ length: Math.floor(r() * 4) }, () => value(r, depth + 1));
    default: {
      /** @type {Record<string, unknown>} */
      const o = {};
      const keys = ['formatVersion', 'default', 'rules', 'name', 'decision', 'handlers', 'permissions', 'origins',
        'mediaTypes', 'externalUrls', 'mainFrameOnly', 'scheme', 'host', 'subdomains', 'port', 'path', 'match',
        'code', 'defaultCode', 'pattern', 'vendorId', 'portName', 'languages', 'words', 'enabled', 'id', 'type',
        'filePath', 'sha256', 'url', 'numSockets'];
      for (let i = Math.floor(r() * 5); i > 0; i--) o[keys[Math.floor(r() * keys.length)]] = value(r, depth + 1);
      if (r() < 0.5) o.formatVersion = 1;
      return o;
    }
  }
}

/**
 * @template T
 * @param {() => number} r
 * @param {T[]} list
 * @returns {T}
 */
function pick(r, list) {
  return list[Math.floor(r() * list.length)];
}

/**
 * @param {() => number} r
 * @returns {(l: string[]) => string[] | null}
 */
const maybeList = (r) => (l) => (r() < 0.3 ? null : l.filter(() => r() < 0.6));

/** @param {() => number} r */
function permissionRule(r) {
  const list = maybeList(r);
  const origins = r() < 0.3 ? null : Array.from({ length: Math.floor(r() * 3) }, () => ({
    source: 's', scheme: pick(r, ['*', 'https', 'http', 'file', '']), host: pick(r, STRINGS), subdomains: r() < 0.5,
    port: pick(r, ['*', '', '443', '80', '0']), ...(r() < 0.3 ? { path: pick(r, ['*', '/x', '']) } : {}),
  }));
  const externalUrls = r() < 0.5 ? null : [{
    source: 's', scheme: pick(r, ['mailto', 'https', 'wss']), ...(r() < 0.5 ? { anyUrl: true } : {}),
    ...(r() < 0.5 ? { host: pick(r, STRINGS) } : {}), ...(r() < 0.5 ? { port: pick(r, ['*', '443', '']) } : {}),
    ...(r() < 0.5 ? { path: '/x', pathPrefix: r() < 0.5 } : {}),
  }];
  return {
    name: 'r', decision: pick(r, ['allow', 'deny']), handlers: list(['request', 'check']) || ['request'],
    permissions: list(['media', 'notifications', 'openExternal', 'serial']), origins,
    mediaTypes: list(['audio', 'video', 'unknown']), externalUrls, mainFrameOnly: r() < 0.3,
  };
}

const dirs = /** @type {string[]} */ ([]);
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

it('300 profiles of random shapes: no throw, a status each, handlers always answer', async () => {
  const r = rng(20261126);
  for (let round = 0; round < 300; round++) {
    /** @type {Record<string, unknown>} */
    const fields = {};
    for (const f of FIELD_ORDER) if (r() < 0.4) fields[f] = value(r, 0);
    // Half the rounds: tables of the right shape with random content, so
    // that the evaluators themselves meet odd values.
    if (round % 2 === 1) {
      fields.permissions = { formatVersion: 1, default: pick(r, ['allow', 'deny']), rules: Array.from({ length: 1 + Math.floor(r() * 3) }, () => permissionRule(r)) };
      fields.certificateRules = { formatVersion: 1, defaultCode: -3, rules: [{ pattern: 'p', match: pick(r, ['any', 'exact', 'domain', 'subdomains']), host: pick(r, STRINGS), verify: 'x', code: Math.floor(r() * 300) - 250 }] };
      fields.serialRules = { formatVersion: 1, rules: [{ vendorId: pick(r, ['9025', '', '1']) }, { portName: pick(r, STRINGS) }] };
      fields.downloads = { formatVersion: 1, directory: '/srv/dl', ask: r() < 0.3, maxSize: Math.floor(r() * 100), allowedExtensions: r() < 0.5 ? ['pdf'] : null, blockedExtensions: ['exe'], allowedMimeTypes: null, blockedMimeTypes: r() < 0.5 ? ['text/*'] : null, allowedOrigins: null, blockedOrigins: null };
    }
    const dir = tempDir();
    dirs.push(dir);
    writeDir(dir, [{ partition: 'persist:h', revision: 1, fields }]);
    const mod = new FakeSessionModule();
    const adapter = new sessctl.Adapter({ dir, session: mod });
    const result = await adapter.sync();
    adapter.close();
    const what = `round ${round}: ${JSON.stringify(fields)}`;
    assert.equal(result.problem, null, what);
    assert.deepEqual(result.applied, ['persist:h'], what);
    const status = adapter.status('persist:h');
    assert.ok(status && status.revision === 1, what);

    const ses = mod.get('persist:h');
    if (round % 2 === 1) {
      assert.ok(ses.requestHandler && ses.checkHandler && ses.verifyProc, what);
      const tables = new Set(['permissions', 'certificateRules', 'serialRules', 'downloads']);
      assert.deepEqual(status.errors.filter((e) => tables.has(e.field)), [], what);
    }
    for (let i = 0; i < 5; i++) {
      const args = /** @type {any[]} */ (i % 2 === 0
        ? [value(r, 0), value(r, 0), value(r, 0)]
        : [pick(r, ['media', 'openExternal', 'notifications']),
          { requestingUrl: pick(r, STRINGS), isMainFrame: r() < 0.5, mediaTypes: maybeList(r)(['audio', 'video']) || undefined, externalURL: pick(r, ['mailto:a@b', 'wss://h/x', 'https://a.example:443/x']) },
          { isMainFrame: r() < 0.5, mediaType: pick(r, ['audio', 'video', 'unknown']) }]);
      if (ses.requestHandler) {
        let n = 0;
        ses.requestHandler(/** @type {any} */ (null), args[0], (g) => {
          n++;
          assert.equal(typeof g, 'boolean', what);
        }, args[1]);
        assert.equal(n, 1, what);
      }
      if (ses.checkHandler) {
        assert.equal(typeof ses.checkHandler(null, args[0], args[1], args[2] || { isMainFrame: false }), 'boolean', what);
      }
      if (ses.verifyProc) {
        /** @type {number[]} */
        const codes = [];
        ses.verifyProc(/** @type {any} */ ({ hostname: args[0] }), (c) => codes.push(c));
        assert.equal(codes.length, 1, what);
        assert.ok(Number.isInteger(codes[0]), what);
      }
      for (const l of ses.listeners.get('will-download') || []) {
        // Getters that return anything, or throw; calls that throw.
        /** @type {string[]} */
        const calls = [];
        /** @param {unknown} v */
        const getter = (v) => () => {
          if (r() < 0.2) throw new Error('gone');
          return v;
        };
        const item = {
          getURL: getter(args[0]), getFilename: getter(r() < 0.5 ? pick(r, STRINGS) : args[1]), getMimeType: getter(args[2]), getTotalBytes: getter(value(r, 0)),
          setSavePath: (/** @type {unknown} */ p) => {
            calls.push(typeof p === 'string' && path.dirname(p) === '/srv/dl' ? 'save' : `save outside the directory: ${JSON.stringify(p)}`);
            if (r() < 0.2) throw new Error('destroyed');
          },
          cancel: () => {
            calls.push('cancel');
            if (r() < 0.2) throw new Error('destroyed');
          },
        };
        l({ preventDefault() {} }, item, null);
        assert.ok(calls.length <= 1 && calls.every((c) => c === 'save' || c === 'cancel'), `${what}: ${calls}`);
      }
      for (const l of ses.listeners.get('select-serial-port') || []) {
        /** @type {string[]} */
        const ids = [];
        l({ preventDefault() {} }, args[0], null, (/** @type {string} */ id) => ids.push(id));
        assert.equal(ids.length, 1, what);
        assert.equal(typeof ids[0], 'string', what);
      }
    }
  }
});
