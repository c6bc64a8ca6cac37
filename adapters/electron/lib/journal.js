// @ts-check
'use strict';

// Durable records of one-shot actions, so that each runs at most once
// across re-applies, resyncs and app restarts (docs/actions.md):
//
// - MaintenanceJournal: per partition, the generation of each maintenance
//   action last attempted and how it ended, in
//   <statusDir>/maintenance/<profile file name>;
// - action results: one file per queued action, <statusDir>/actions/<id>.json.
//
// A record says "running" before the Electron call and "done" or "failed"
// after it. A "running" record found at start-up is an action the app was
// stopped in the middle of: it is reported as failed ("interrupted") and
// not run again; only the operator asks for it again (raising the
// generation, `sessctl action retry`). Every file is written atomically
// (temporary file in the same directory, then rename).

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const { safeFileName, errorMessage } = require('./profile');

/** The message of an action the app stopped in the middle of. */
const INTERRUPTED = 'interrupted: the app stopped while the action ran; it is not run again automatically';

/**
 * How one action ended, or that it is running.
 * @typedef {object} ActionRecord
 * @property {number} generation the generation attempted (maintenance), or 1 for a queued action.
 * @property {'running'|'done'|'failed'} state
 * @property {string|null} error Electron's error when it failed.
 * @property {string} at RFC 3339 UTC time of the record.
 */

/**
 * Writes a JSON file atomically.
 * @param {string} file
 * @param {unknown} value
 */
async function writeJSONAtomic(file, value) {
  const dir = path.dirname(file);
  await fs.promises.mkdir(dir, { recursive: true, mode: 0o755 });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  try {
    await fs.promises.writeFile(tmp, JSON.stringify(value, null, 2) + '\n', { mode: 0o644 });
    await fs.promises.rename(tmp, file);
  } catch (e) {
    await fs.promises.rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
}

/**
 * @param {unknown} v
 * @returns {v is Record<string, unknown>}
 */
function isObject(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * @param {unknown} v
 * @returns {ActionRecord|null}
 */
function asRecord(v) {
  if (!isObject(v)) return null;
  const { generation, state, error, at } = v;
  if (typeof generation !== 'number' || !Number.isSafeInteger(generation) || generation < 0) return null;
  if (state !== 'running' && state !== 'done' && state !== 'failed') return null;
  return { generation, state, error: typeof error === 'string' ? error : null, at: typeof at === 'string' ? at : '' };
}

/**
 * The maintenance actions of one partition: what ran, by Electron method.
 */
class MaintenanceJournal {
  /**
   * @param {string|null} file where the journal lives; null keeps it in memory (no status directory).
   */
  constructor(file) {
    this.file = file;
    /** @type {Record<string, ActionRecord>} */
    this.actions = {};
    /** @type {string|null} why the file could not be read (it is then not trusted and nothing runs). */
    this.problem = null;
    this.load();
  }

  /** Reads the journal; a "running" record becomes an interrupted failure. */
  load() {
    if (!this.file) return;
    let text;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if (/** @type {NodeJS.ErrnoException} */ (e).code === 'ENOENT') return;
      this.problem = `cannot read ${this.file}: ${errorMessage(e)}`;
      return;
    }
    try {
      const doc = JSON.parse(text);
      if (!isObject(doc) || doc.format_version !== 1 || !isObject(doc.actions)) throw new Error('not a maintenance journal of format_version 1');
      for (const [k, v] of Object.entries(doc.actions)) {
        const r = asRecord(v);
        if (!r) continue;
        this.actions[k] = r.state === 'running' ? { ...r, state: 'failed', error: INTERRUPTED } : r;
      }
    } catch (e) {
      this.problem = `cannot use ${this.file}: ${errorMessage(e)}`;
    }
  }

  /**
   * Reads the file again when it could not be used before (it may have
   * been repaired); a journal in use is never re-read.
   */
  retry() {
    if (!this.problem) return;
    this.problem = null;
    this.actions = {};
    this.load();
  }

  /**
   * The generation last attempted (0 when never).
   * @param {string} method
   */
  generation(method) {
    const r = this.actions[method];
    return r ? r.generation : 0;
  }

  /**
   * Records an action's state and writes the journal. Throws when it
   * cannot be written: the caller then does not run the action.
   * @param {string} partition
   * @param {string} method
   * @param {ActionRecord} record
   */
  async record(partition, method, record) {
    if (this.problem) throw new Error(this.problem);
    this.actions[method] = record;
    if (this.file) await writeJSONAtomic(this.file, { format_version: 1, partition, actions: this.actions });
  }

  /** A copy for the status file. */
  snapshot() {
    return structuredClone(this.actions);
  }
}

/**
 * The journal file of a partition (null when the profile file name is not
 * a plain name: never derived from the partition name).
 * @param {string} statusDir
 * @param {string} file profile file name.
 */
function journalPath(statusDir, file) {
  return safeFileName(file) ? path.join(statusDir, 'maintenance', file) : null;
}

module.exports = { MaintenanceJournal, journalPath, writeJSONAtomic, isObject, INTERRUPTED };
