// @ts-check
'use strict';

// Status files: location, exact shape (docs/electron-adapter.md "Status
// files"), atomic writes.

const { it, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const sessctl = require('..');
const { FakeSessionModule } = require('./fake-session');
const { writeDir, tempDir, fileName } = require('./helpers');

/** @type {string[]} */
const dirs = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const KEYS = [
  'format_version', 'partition', 'file', 'state', 'revision', 'digest', 'applied_at', 'updated_at',
  'errors', 'rejected', 'retained', 'maintenance', 'extensions', 'preloads', 'spellchecker_languages',
  'spellchecker_enabled', 'user_agent', 'readback', 'events', 'watch', 'electron_version', 'adapter_version', 'pid',
];

it('a status file per partition at <dir>/status/<profile file name>, with every documented member', async () => {
  const dir = tempDir();
  dirs.push(dir);
  const id = 'pafcpbhmbnddocoeepgeoifhhoamcjbp';
  const entries = writeDir(dir, [
    {
      partition: 'persist:work', revision: 7, fields: {
        userAgent: 'WorkApp/1.0', acceptLanguages: 'en-US,fr',
        spellChecker: { languages: ['en-US', 'fr'], words: ['sessctl'] },
        extensions: [{ name: 'devtools', path: '/opt/ext/devtools', id, version: '1.0.0', allowFileAccess: false }],
        downloadPath: '/d',
      },
    },
    { partition: '', revision: 2, fields: { spellChecker: { languages: ['xx'] } } },
  ]);
  const mod = new FakeSessionModule();
  mod.fromPartition('persist:work').extensions.disk.set('/opt/ext/devtools', { id, version: '1.0.0', name: 'DevTools' });
  mod.get('persist:work').failures.set('setDownloadPath', new Error('Error processing argument at index 0, conversion failure from /d'));
  const before = Date.now();
  await sessctl.applyOnce({ dir, session: mod });

  const work = entries.find((e) => e.partition === 'persist:work');
  assert.ok(work);
  const text = fs.readFileSync(path.join(dir, 'status', work.file), 'utf8');
  const st = JSON.parse(text);
  assert.deepEqual(Object.keys(st), KEYS);
  assert.equal(st.format_version, 1);
  assert.equal(st.partition, 'persist:work');
  assert.equal(st.file, fileName('persist:work'));
  assert.equal(st.state, 'partial');
  assert.equal(st.revision, 7);
  assert.equal(st.digest, work.digest);
  assert.ok(Date.parse(st.applied_at) >= before - 1000, st.applied_at);
  assert.match(st.updated_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.deepEqual(st.errors, [{ field: 'downloadPath', call: 'setDownloadPath', message: 'Error processing argument at index 0, conversion failure from /d' }]);
  assert.equal(st.rejected, null);
  assert.deepEqual(st.retained, []);
  assert.deepEqual(st.extensions, [{ name: 'devtools', id, version: '1.0.0', path: '/opt/ext/devtools' }]);
  assert.deepEqual(st.preloads, []);
  assert.deepEqual(st.spellchecker_languages, ['en-US', 'fr']);
  assert.equal(st.spellchecker_enabled, true);
  assert.equal(st.user_agent, 'WorkApp/1.0');
  assert.equal(st.readback.user_agent, 'WorkApp/1.0');
  assert.deepEqual(st.readback.spellchecker_words, ['sessctl']);
  assert.deepEqual(st.events.recent, []);
  assert.equal(st.events.counts['extension-loaded'], 0);
  assert.equal(st.electron_version, null, 'plain node has no process.versions.electron');
  assert.equal(st.adapter_version, require('../package.json').version);
  assert.equal(st.pid, process.pid);
  assert.ok(text.endsWith('}\n'));

  // The default session: Electron refused the language; the status keeps
  // what Electron kept.
  const def = JSON.parse(fs.readFileSync(path.join(dir, 'status', fileName('')), 'utf8'));
  assert.equal(def.partition, '');
  assert.equal(def.state, 'partial');
  assert.deepEqual(def.errors, [{ field: 'spellChecker', call: 'setSpellCheckerLanguages', message: 'Invalid language code provided: "xx" is not a valid language code' }]);
  assert.deepEqual(def.spellchecker_languages, ['en-US']);

  // Nothing else in the status directory: temporary files are renamed away.
  assert.deepEqual(fs.readdirSync(path.join(dir, 'status')).sort(), [fileName(''), fileName('persist:work')].sort());
});

it('a partition whose first profile is refused: revision 0, no applied_at, the reason', async () => {
  const dir = tempDir();
  dirs.push(dir);
  const [e] = writeDir(dir, [{ partition: 'persist:a', revision: 1, fields: { userAgent: 'A' } }]);
  fs.writeFileSync(path.join(dir, e.file), fs.readFileSync(path.join(dir, e.file), 'utf8').replace('"A"', '"B"'));
  await sessctl.applyOnce({ dir, session: new FakeSessionModule() });
  const st = JSON.parse(fs.readFileSync(path.join(dir, 'status', e.file), 'utf8'));
  assert.equal(st.state, 'rejected');
  assert.equal(st.revision, 0);
  assert.equal(st.digest, '');
  assert.equal(st.applied_at, null);
  assert.equal(st.user_agent, null);
  assert.equal(st.readback, null);
  assert.equal(st.events.total, 0);
  assert.equal(st.rejected.revision, 1);
  assert.equal(st.rejected.digest, e.digest);
  assert.match(st.rejected.reason, /does not match its own digest/);
});

it('statusDir moves the status files', async () => {
  const dir = tempDir();
  const statusDir = tempDir();
  dirs.push(dir, statusDir);
  writeDir(dir, [{ partition: 'persist:a', revision: 1, fields: {} }]);
  await sessctl.applyOnce({ dir, session: new FakeSessionModule(), statusDir });
  assert.deepEqual(fs.readdirSync(statusDir), [fileName('persist:a')]);
  assert.equal(fs.existsSync(path.join(dir, 'status')), false);
});

it('an unwritable status directory is a problem event, the apply still happens', async () => {
  const dir = tempDir();
  dirs.push(dir);
  writeDir(dir, [{ partition: 'persist:a', revision: 1, fields: { userAgent: 'A' } }]);
  fs.writeFileSync(path.join(dir, 'status'), 'not a directory');
  const mod = new FakeSessionModule();
  const adapter = new sessctl.Adapter({ dir, session: mod });
  /** @type {string[]} */
  const problems = [];
  adapter.on('problem', (m) => problems.push(m));
  await adapter.sync();
  adapter.close();
  assert.deepEqual(mod.get('persist:a').take().map((c) => c.method), ['setUserAgent']);
  assert.equal(problems.length, 1);
  assert.match(problems[0], /cannot write the status of partition "persist:a"/);
});
