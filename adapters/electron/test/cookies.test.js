// @ts-check
'use strict';

// The cookies entry (lib/fields/cookies.js): it sets each declared cookie,
// removes only the cookies it set when their block goes away, reads each
// cookie back, and never writes a value into the status or an error.

const { describe, it, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const sessctl = require('..');
const { FakeSessionModule } = require('./fake-session');
const { writeDir, tempDir } = require('./helpers');

/** @type {string[]} */
const dirs = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const SECRET = 'sekret-3b1f-value';

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
  return { calls: out, status: adapter.status('persist:t'), mod, dir };
}

const SID = { url: 'https://app.example/', name: 'sid', value: { $sensitive: SECRET }, secure: true, httpOnly: true };
const THEME = { url: 'https://app.example/', name: 'theme', value: 'dark' };

describe('cookies', () => {
  it('sets each cookie with its plain value, and leaves cookies it did not set alone', async () => {
    const { calls, status, mod } = await applyRevisions([{ cookies: { sid: SID, theme: THEME } }], (m) => {
      // A cookie the site set before: not sessctl's.
      m.fromPartition('persist:t').cookies.jar.set('other', { url: 'https://app.example/', name: 'other', value: 'x', sameSite: 'lax' });
    });
    assert.deepEqual(calls[0].filter((c) => c.method.startsWith('cookies.')), [
      { method: 'cookies.set', args: [{ ...SID, value: SECRET }] },
      { method: 'cookies.set', args: [THEME] },
    ]);
    assert.ok(status);
    assert.deepEqual(status.errors, []);
    assert.equal(mod.get('persist:t').cookies.jar.size, 3);
  });

  it('removes a cookie whose block went away, and one whose url changed, and only those', async () => {
    const moved = { ...THEME, url: 'https://other.example/' };
    const { calls, mod } = await applyRevisions([
      { cookies: { sid: SID, theme: THEME } },
      { cookies: { theme: moved } },
      {},
    ], (m) => {
      m.fromPartition('persist:t').cookies.jar.set('other', { url: 'https://app.example/', name: 'other', value: 'x', sameSite: 'lax' });
    });
    assert.deepEqual(calls[1].filter((c) => c.method.startsWith('cookies.')), [
      { method: 'cookies.remove', args: ['https://app.example/', 'sid'] },
      { method: 'cookies.remove', args: ['https://app.example/', 'theme'] },
      { method: 'cookies.set', args: [moved] },
    ]);
    assert.deepEqual(calls[2].filter((c) => c.method.startsWith('cookies.')), [
      { method: 'cookies.remove', args: ['https://other.example/', 'theme'] },
    ]);
    // The site's own cookie is still there.
    assert.deepEqual([...mod.get('persist:t').cookies.jar.values()].map((c) => c.name), ['other']);
  });

  it('reports a cookie read back with another value by digest, never by value', async () => {
    const { status, dir } = await applyRevisions([{ cookies: { sid: SID } }], (m) => {
      const c = m.fromPartition('persist:t').cookies;
      const set = c.set.bind(c);
      // The store keeps another value (a site script overwrote it).
      c.set = async (d) => { await set({ ...d, value: 'tampered' }); };
    });
    assert.ok(status);
    assert.equal(status.errors.length, 1);
    const msg = JSON.stringify(status.errors[0]);
    assert.match(msg, /cookie \\"sid\\": cookies.get reads back another value \(sha256:[0-9a-f]{16} instead of sha256:[0-9a-f]{16}\)/);
    assert.ok(!msg.includes(SECRET) && !msg.includes('tampered'), msg);
    for (const f of fs.readdirSync(dir, { recursive: true })) {
      const p = `${dir}/${f}`;
      if (fs.statSync(p).isFile() && !String(f).startsWith('p-')) {
        assert.ok(!fs.readFileSync(p, 'utf8').includes(SECRET), `${f} holds the secret`);
      }
    }
  });

  it('applies a profile sessctl wrote with a sensitive value (test/testdata/cookies)', async () => {
    const dir = tempDir();
    dirs.push(dir);
    for (const f of fs.readdirSync(path.join(__dirname, 'testdata', 'cookies'))) {
      fs.copyFileSync(path.join(__dirname, 'testdata', 'cookies', f), path.join(dir, f));
    }
    const mod = new FakeSessionModule();
    const adapter = new sessctl.Adapter({ dir, session: mod });
    await adapter.sync();
    const status = adapter.status('persist:work');
    adapter.close();
    assert.ok(status);
    assert.equal(status.state, 'applied', JSON.stringify(status.errors));
    const sets = mod.get('persist:work').take().filter((c) => c.method === 'cookies.set');
    assert.deepEqual(sets.map((c) => /** @type {Electron.CookiesSetDetails} */ (c.args[0]).value), ['t=s3cr<&>"\\é', 'dark']);
  });

  it('remembers across a restart which cookies it set, and never their values', async () => {
    const dir = tempDir();
    dirs.push(dir);
    writeDir(dir, [{ partition: 'persist:t', revision: 1, fields: { cookies: { sid: SID, theme: THEME } } }]);
    const first = new sessctl.Adapter({ dir, session: new FakeSessionModule() });
    await first.sync();
    first.close();
    // The app restarts after the sid block was removed.
    writeDir(dir, [{ partition: 'persist:t', revision: 2, fields: { cookies: { theme: THEME } } }]);
    const mod = new FakeSessionModule();
    const second = new sessctl.Adapter({ dir, session: mod });
    await second.sync();
    second.close();
    assert.deepEqual(mod.get('persist:t').take().filter((c) => c.method.startsWith('cookies.')).map((c) => [c.method, ...c.args.slice(0, 2)]), [
      ['cookies.remove', 'https://app.example/', 'sid'],
      ['cookies.set', THEME],
    ]);
    for (const f of fs.readdirSync(dir, { recursive: true })) {
      const p = path.join(dir, String(f));
      if (fs.statSync(p).isFile() && !path.basename(p).startsWith('p-')) {
        assert.ok(!fs.readFileSync(p, 'utf8').includes(SECRET), `${f} holds the secret`);
      }
    }
  });

  it('refuses a malformed field without a call and without quoting its value', async () => {
    const { calls, status } = await applyRevisions([{ cookies: { sid: { url: 'https://a.example/', name: 'sid', value: { $sensitive: 1, x: SECRET } } } }]);
    assert.deepEqual(calls[0].filter((c) => c.method.startsWith('cookies.')), []);
    assert.ok(status);
    assert.equal(status.errors.length, 1);
    assert.ok(!JSON.stringify(status.errors).includes(SECRET));
  });

  it('an Electron rejection is a field error and the cookie is not owned', async () => {
    const { calls, status } = await applyRevisions([{ cookies: { sid: SID } }, {}], (m) => {
      m.fromPartition('persist:t').failures.set('cookies.set', new Error('Failed to set cookie - The cookie was set with an invalid Domain attribute.'));
    });
    assert.ok(status);
    assert.deepEqual(calls[1].filter((c) => c.method === 'cookies.remove'), []);
  });
});
