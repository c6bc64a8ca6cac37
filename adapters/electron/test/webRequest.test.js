// @ts-check
'use strict';

// The webRequest entry: the shared vectors through the adapter's evaluator,
// the single onBeforeRequest / onBeforeSendHeaders listeners it installs
// (Electron keeps one per event per session), what they answer, and that
// the adapter only ever removes listeners it set.

const { it, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { Adapter } = require('..');
const { decideWebRequest, applyHeaders } = require('../lib/webrequest');
const { FakeSessionModule } = require('./fake-session');
const { writeDir, tempDir } = require('./helpers');

/** @type {Array<() => void>} */
const cleanup = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

const VECTORS = path.join(__dirname, '..', '..', '..', 'providers', 'testdata', 'decisions_webrequest.json');

it('gives every expected value of the shared vectors (providers/testdata/decisions_webrequest.json)', () => {
  const file = JSON.parse(fs.readFileSync(VECTORS, 'utf8'));
  assert.ok(file.vectors.length >= 50);
  for (const v of file.vectors) {
    const got = /** @type {Record<string, unknown>} */ ({ ...decideWebRequest(file.tables[v.table], v.request) });
    for (const k of Object.keys(v.expected)) assert.deepEqual(got[k], v.expected[k], `${v.id}: ${k} — ${v.why}`);
  }
});

it('applies header changes case-insensitively, set after remove', () => {
  const d = decideWebRequest(null, { url: 'https://a.example/', method: 'GET', resourceType: 'mainFrame' });
  assert.deepEqual(applyHeaders({ A: '1' }, d), { A: '1' });
  assert.deepEqual(applyHeaders({ 'x-corp': '0', Cookie: 'c', Accept: '*/*' },
    { ...d, setHeaders: [{ name: 'X-Corp', value: '1' }], removeHeaders: ['cookie'] }), { Accept: '*/*', 'X-Corp': '1' });
});

const P = (/** @type {string} */ source, /** @type {Record<string, unknown>} */ rest) => ({ source, port: '*', ...rest });
const TABLE = {
  formatVersion: 1,
  rules: [
    { name: 'ads', urls: [P('*://*.ads.example/*', { scheme: '*', host: 'ads.example', subdomains: true, path: '/*' })], excludeUrls: null,
      types: ['script'], methods: null, action: 'cancel', setHeaders: null, removeHeaders: null },
    { name: 'old', urls: [P('https://portal.corp.example/old/*', { scheme: 'https', host: 'portal.corp.example', path: '/old/*' })], excludeUrls: null,
      types: null, methods: null, action: 'redirect', redirectUrl: 'https://portal.corp.example/new/', setHeaders: null, removeHeaders: null },
    { name: 'corp', urls: [P('https://*.corp.example/*', { scheme: 'https', host: 'corp.example', subdomains: true, path: '/*' })], excludeUrls: null,
      types: null, methods: null, action: 'headers', setHeaders: [{ name: 'X-Corp', value: '1' }], removeHeaders: ['Cookie'] },
  ],
};

/** @param {Record<string, unknown>} fields */
async function setup(fields) {
  const dir = tempDir();
  writeDir(dir, [{ partition: 'persist:w', revision: 1, fields }]);
  const mod = new FakeSessionModule();
  const adapter = new Adapter({ dir, session: mod });
  cleanup.push(() => {
    adapter.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await adapter.sync();
  return { dir, ses: /** @type {any} */ (mod.get('persist:w')), adapter };
}

/**
 * Calls an installed listener as Electron does.
 * @param {any} slot
 * @param {Record<string, unknown>} details
 */
function call(slot, details) {
  return new Promise((resolve) => slot.listener(details, resolve));
}

it('installs one listener per event, filtered on the union of the rules\' urls, and answers as the table says', async () => {
  const { ses, adapter } = await setup({ webRequest: TABLE });
  assert.deepEqual(adapter.status('persist:w')?.errors, []);
  assert.deepEqual(ses.calls.filter((/** @type {any} */ c) => c.method.startsWith('webRequest.')).map((/** @type {any} */ c) => [c.method, c.args]), [
    ['webRequest.onBeforeRequest', [['*://*.ads.example/*', 'https://portal.corp.example/old/*']]],
    ['webRequest.onBeforeSendHeaders', [['https://*.corp.example/*']]],
  ]);
  const br = ses.webRequest.beforeRequest;
  assert.deepEqual(await call(br, { url: 'https://x.ads.example/a.js', method: 'GET', resourceType: 'script' }), { cancel: true });
  assert.deepEqual(await call(br, { url: 'https://x.ads.example/', method: 'GET', resourceType: 'mainFrame' }), {});
  assert.deepEqual(await call(br, { url: 'https://portal.corp.example/old/a', method: 'GET', resourceType: 'mainFrame' }),
    { redirectURL: 'https://portal.corp.example/new/' });
  const sh = ses.webRequest.beforeSendHeaders;
  assert.deepEqual(await call(sh, { url: 'https://portal.corp.example/new/', method: 'GET', resourceType: 'mainFrame', requestHeaders: { cookie: 'a', Accept: '*/*' } }),
    { requestHeaders: { Accept: '*/*', 'X-Corp': '1' } });
});

it('removes its listeners when the field leaves the profile, and never one it did not set', async () => {
  const { dir, ses, adapter } = await setup({ webRequest: TABLE });
  writeDir(dir, [{ partition: 'persist:w', revision: 2, fields: {} }]);
  await adapter.sync();
  assert.equal(ses.webRequest.beforeRequest, null);
  assert.equal(ses.webRequest.beforeSendHeaders, null);
  // An app listener on a session the profile never gave web_request rules.
  const other = await setup({});
  const mine = () => {};
  other.ses.webRequest.onBeforeRequest(mine);
  writeDir(other.dir, [{ partition: 'persist:w', revision: 2, fields: {} }]);
  await other.adapter.sync();
  assert.equal(other.ses.webRequest.beforeRequest.listener, mine);
});

it('refuses a table it cannot read and installs nothing', async () => {
  const { ses, adapter } = await setup({ webRequest: { formatVersion: 99, rules: [] } });
  assert.match(JSON.stringify(adapter.status('persist:w')?.errors), /formatVersion 99/);
  assert.equal(ses.webRequest.beforeRequest, null);
});
