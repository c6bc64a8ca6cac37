// @ts-check
'use strict';

// watch() never stops silently: when fs.watch throws or fails later, the
// adapter polls index.json instead, says so (problem, and error when the
// app listens for it), records it in every status file, and still picks
// up the next apply.

const { describe, it, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { EventEmitter } = require('node:events');

const sessctl = require('..');
const { FakeSessionModule } = require('./fake-session');
const path = require('node:path');
const { writeDir, writeAtomic, tempDir, readStatus } = require('./helpers');

/** @param {string} dir */
function queueOne(dir) {
  writeAtomic(path.join(dir, 'actions.json'), JSON.stringify({
    format_version: 1, actions: [{ id: '1-aaaaaaaa', partition: 'persist:a', action: 'clear-cache', args: {}, queued_at: '2026-12-04T00:00:00Z' }],
  }));
}

/** @type {Array<() => void>} */
const cleanup = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

/**
 * Resolves when pred() holds, checking on each status event and every 5 ms;
 * rejects after 30 s (a hang bound, not a latency target).
 * @param {() => boolean} pred
 */
function eventually(pred) {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const t = setInterval(() => {
      if (pred()) {
        clearInterval(t);
        resolve(undefined);
      } else if (Date.now() - start > 30000) {
        clearInterval(t);
        reject(new Error('condition never held'));
      }
    }, 5);
  });
}

/**
 * @param {typeof fs.watch} fsWatch
 * @param {boolean} listenForError
 */
async function setup(fsWatch, listenForError) {
  const dir = tempDir();
  const mod = new FakeSessionModule();
  writeDir(dir, [{ partition: 'persist:a', revision: 1, fields: { userAgent: 'A/1' } }]);
  const adapter = new sessctl.Adapter({ dir, session: mod, pollMs: 10, resyncMs: 0, fsWatch });
  cleanup.push(() => {
    adapter.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  /** @type {string[]} */
  const problems = [];
  /** @type {Error[]} */
  const errors = [];
  adapter.on('problem', (m) => problems.push(m));
  if (listenForError) adapter.on('error', (e) => errors.push(e));
  await adapter.sync();
  return { dir, adapter, problems, errors };
}

describe('watch fallback', () => {
  const throwing = /** @type {typeof fs.watch} */ (/** @type {unknown} */ (() => {
    throw Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), { code: 'ENOSPC' });
  }));

  it('polls when fs.watch throws, says so, records it and follows the next apply', async () => {
    const { dir, adapter, problems, errors } = await setup(throwing, true);
    adapter.watch();
    assert.equal(adapter.watchState.mode, 'poll');
    assert.match(problems.join('\n'), /ENOSPC.*checking index\.json every 10 ms instead/);
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /ENOSPC/);
    await eventually(() => readStatus(dir, 'persist:a').watch?.mode === 'poll');
    assert.match(readStatus(dir, 'persist:a').watch.error, /ENOSPC/);

    writeDir(dir, [{ partition: 'persist:a', revision: 2, fields: { userAgent: 'A/2' } }]);
    await eventually(() => readStatus(dir, 'persist:a').revision === 2);
    assert.equal(readStatus(dir, 'persist:a').watch.mode, 'poll');

    // A queued action (sessctl action) is picked up by the poll too.
    queueOne(dir);
    await eventually(() => fs.existsSync(path.join(dir, 'status', 'actions', '1-aaaaaaaa.json')));
  });

  it('runs an action queued while it watches, once', async () => {
    const { dir, adapter } = await setup(fs.watch, true);
    adapter.watch();
    assert.equal(adapter.watchState.mode, 'fs.watch');
    /** @type {string[]} */
    const ran = [];
    adapter.on('sync', (r) => ran.push(...r.actions));
    queueOne(dir);
    await eventually(() => ran.length > 0);
    const res = JSON.parse(fs.readFileSync(path.join(dir, 'status', 'actions', '1-aaaaaaaa.json'), 'utf8'));
    assert.equal(res.state, 'done');
    await adapter.sync();
    assert.deepEqual(ran, ['1-aaaaaaaa']);
  });

  it('falls back when the watcher fails later, without an error listener and without throwing', async () => {
    /** @type {EventEmitter & {close: () => void}} */
    const watcher = Object.assign(new EventEmitter(), { close() {} });
    const later = /** @type {typeof fs.watch} */ (/** @type {unknown} */ (() => watcher));
    const { dir, adapter, problems, errors } = await setup(later, false);
    adapter.watch();
    assert.equal(adapter.watchState.mode, 'fs.watch');
    watcher.emit('error', new Error('EMFILE: too many open files'));
    assert.equal(adapter.watchState.mode, 'poll');
    assert.equal(errors.length, 0);
    assert.match(problems.join('\n'), /EMFILE/);
    writeDir(dir, [{ partition: 'persist:a', revision: 2, fields: { userAgent: 'A/2' } }]);
    await eventually(() => readStatus(dir, 'persist:a').revision === 2);
    assert.match(readStatus(dir, 'persist:a').watch.error, /EMFILE/);
  });
});
