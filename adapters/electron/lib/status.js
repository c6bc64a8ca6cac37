// @ts-check
'use strict';

// Status files: what the adapter applied, written after each apply so that
// `sessctl show` and `sessctl drift` can compare the app with the plan. The
// shape is documented in docs/electron-adapter.md ("Status files"); change
// both together.

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const { safeFileName } = require('./profile');

/** Subdirectory of the output directory that holds status files. */
const STATUS_DIR = 'status';

/** Version of the status file format. */
const STATUS_FORMAT_VERSION = 1;

/**
 * The members the adapter writes itself; the table's entries add the ones
 * Electron reports back (FieldStatus: extensions, preloads, the
 * spellchecker's languages and state, the user agent).
 * @typedef {object} StatusCore
 * @property {number} format_version
 * @property {string} partition
 * @property {string} file the profile file name (the status file has the same name).
 * @property {'applied'|'partial'|'rejected'} state
 * @property {number} revision profile revision in effect; 0 when none was applied.
 * @property {string} digest digest of that revision; "" when none.
 * @property {string|null} applied_at RFC 3339 UTC time the revision in effect was applied.
 * @property {string} updated_at RFC 3339 UTC time this status was written.
 * @property {import('./types').FieldError[]} errors fields of the revision in effect that Electron refused.
 * @property {{revision: number, digest: string, reason: string} | null} rejected the newest profile, when it was refused as a whole.
 * @property {string[]} retained fields removed from the profile whose last value stays in Electron.
 * @property {Record<string, import('./journal').ActionRecord>} maintenance the maintenance actions run, by Electron method: the generation last attempted and how it ended (docs/actions.md).
 * @property {import('./readback').Readback|null} readback what Electron reports about the session (lib/readback.js); null when the adapter never got the session.
 * @property {import('./events').EventsStatus} events the session's events since the app started, bounded (lib/events.js).
 * @property {import('./adapter').WatchState} [watch] how the adapter follows the directory (mode, and why fs.watch failed).
 * @property {string|null} electron_version process.versions.electron.
 * @property {string} adapter_version
 * @property {number} pid
 */

/**
 * A status file: the core members and, from the field table, what Electron
 * reports back after the apply (lib/fields, each entry's readBack).
 * @typedef {StatusCore & import('./fields').FieldStatus} Status
 */

/**
 * Every member of a status file, in file order (docs/electron-adapter.md
 * "Status files": the order is part of the format). Typed against Status:
 * tsc fails when an entry's readBack adds a member that is missing here.
 * @type {{[K in keyof Status]-?: null}}
 */
const MEMBER_ORDER = {
  format_version: null, partition: null, file: null, state: null, revision: null, digest: null,
  applied_at: null, updated_at: null, errors: null, rejected: null, retained: null, maintenance: null,
  extensions: null, preloads: null, spellchecker_languages: null, spellchecker_enabled: null, user_agent: null,
  readback: null, events: null,
  watch: null, electron_version: null, adapter_version: null, pid: null,
};

/** @type {string[]} */
const STATUS_MEMBERS = Object.keys(MEMBER_ORDER);

/**
 * The same status with its members in file order.
 * @param {Status} status
 * @returns {Status}
 */
function orderStatus(status) {
  /** @type {Record<string, unknown>} */
  const out = {};
  const src = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (status));
  for (const k of STATUS_MEMBERS) if (k in src) out[k] = src[k];
  for (const k of Object.keys(src)) if (!(k in out)) out[k] = src[k];
  return /** @type {Status} */ (/** @type {unknown} */ (out));
}

/**
 * Writes a status file atomically (temporary file in the same directory,
 * then rename), so that sessctl never reads half of one.
 * @param {string} statusDir
 * @param {string} file profile file name.
 * @param {Status} status
 */
async function writeStatus(statusDir, file, status) {
  if (!safeFileName(file)) throw new Error(`refusing status file name ${JSON.stringify(file)}`);
  await fs.promises.mkdir(statusDir, { recursive: true, mode: 0o755 });
  const target = path.join(statusDir, file);
  const tmp = path.join(statusDir, `.${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  const data = JSON.stringify(status, null, 2) + '\n';
  try {
    await fs.promises.writeFile(tmp, data, { mode: 0o644 });
    await fs.promises.rename(tmp, target);
  } catch (e) {
    await fs.promises.rm(tmp, { force: true }).catch(() => {});
    throw e;
  }
}

/**
 * Removes a partition's status file; a missing file is fine.
 * @param {string} statusDir
 * @param {string} file
 */
async function removeStatus(statusDir, file) {
  if (!safeFileName(file)) return;
  await fs.promises.rm(path.join(statusDir, file), { force: true }).catch(() => {});
}

module.exports = { STATUS_DIR, STATUS_FORMAT_VERSION, STATUS_MEMBERS, orderStatus, writeStatus, removeStatus };
