// @ts-check
'use strict';

// Reading what sessctl writes: index.json and one profile per partition
// (reconcile/index.go, reconcile/build.go RenderProfile). Everything read
// here is checked before it reaches an Electron call: a profile is only
// used when its format is known, its content hashes to its own `digest`,
// and its revision and digest are the ones index.json names, so a file
// caught between two writes of sessctl, or edited by hand, is never
// applied.

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

/** The profile and index format this adapter understands. */
const FORMAT_VERSION = 1;

/** Name of the index sessctl writes after the profiles it names. */
const INDEX_FILE = 'index.json';

/**
 * @typedef {object} IndexEntry
 * @property {string} partition "" is the default session.
 * @property {string} file profile file name inside the directory.
 * @property {boolean} persistent
 * @property {number} revision
 * @property {string} digest
 */

/**
 * @typedef {object} Profile
 * @property {string} partition
 * @property {boolean} persistent
 * @property {boolean} cache
 * @property {number} revision
 * @property {string} digest
 * @property {Record<string, unknown>} fields provider fields (everything but the core keys).
 * @property {Record<string, string>} raw compact JSON text of every provider field, to compare revisions field by field.
 */

/** Keys reconcile writes itself (reconcile/build.go coreFields). */
const CORE_KEYS = new Set(['format_version', 'partition', 'persistent', 'cache', 'revision', 'digest']);

/** An error that explains why a profile or index cannot be used. */
class ProfileError extends Error {
  /**
   * @param {string} message
   * @param {{pending?: boolean}} [opts] pending: sessctl is probably between two writes.
   */
  constructor(message, opts = {}) {
    super(message);
    this.name = 'ProfileError';
    this.pending = Boolean(opts.pending);
  }
}

/**
 * Splits the top-level object of a JSON text into its members, keeping
 * each value's exact text. JSON.parse has already accepted the text, so the
 * scanner only needs to find where strings and nesting end.
 * @param {string} text
 * @returns {Array<[string, string]>} decoded key, value text.
 */
function topLevelMembers(text) {
  /** @type {Array<[string, string]>} */
  const out = [];
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const skipString = () => {
    // text[i] is the opening quote.
    i++;
    while (i < n && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
  };
  ws();
  if (text[i] !== '{') throw new ProfileError('not a JSON object');
  i++;
  ws();
  if (text[i] === '}') return out;
  for (;;) {
    ws();
    if (text[i] !== '"') throw new ProfileError('expected a member name');
    const ks = i;
    skipString();
    const key = JSON.parse(text.slice(ks, i));
    ws();
    i++; // ':'
    ws();
    const vs = i;
    let depth = 0;
    for (;;) {
      if (i >= n) throw new ProfileError('unterminated JSON value');
      const c = text[i];
      if (c === '"') {
        skipString();
        if (depth === 0) break;
        continue;
      }
      if (depth === 0 && (c === ',' || c === '}' || c === ']' || c === ' ' || c === '\t' || c === '\n' || c === '\r')) break;
      if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) {
          i++;
          break;
        }
      }
      i++;
    }
    out.push([key, text.slice(vs, i)]);
    ws();
    if (text[i] === ',') {
      i++;
      continue;
    }
    return out;
  }
}

/**
 * Removes insignificant whitespace from a JSON text, as Go's json.Compact:
 * the profile's values are Go's compact encoding indented by json.Indent,
 * which only adds whitespace outside strings.
 * @param {string} text
 */
function compact(text) {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') {
        out += text[i + 1];
        i++;
      } else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue;
    if (c === '"') inString = true;
    out += c;
  }
  return out;
}

/** The file form of a sensitive value in compact JSON (reconcile/sensitive.go). */
const SENSITIVE_RE = /\{"\$sensitive":"(?:[^"\\]|\\.)*"\}/g;

/**
 * A compact member value with each sensitive value in its file form
 * ({"$sensitive": "…"}) replaced by the token sessctl hashed instead
 * ("(sensitive value, sha256:<16 hex>)"), so that the digest matches.
 * A '"' inside a JSON string is escaped, so the pattern only matches an
 * object.
 * @param {string} v
 */
function redactSecrets(v) {
  if (!v.includes('"$sensitive"')) return v;
  return v.replace(SENSITIVE_RE, (obj) => {
    const value = /** @type {{$sensitive: string}} */ (JSON.parse(obj)).$sensitive;
    const hex = crypto.createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 16);
    return JSON.stringify(`(sensitive value, sha256:${hex})`);
  });
}

/**
 * The digest sessctl gives a profile (reconcile/build.go contentDigest):
 * sha256 over, for every field but format_version, revision and digest in
 * bytewise key order, the key's UTF-8 bytes, a NUL, the compact value, a NUL.
 * @param {Array<[string, string]>} members key and compact value text.
 */
function contentDigest(members) {
  const sorted = members
    .filter(([k]) => k !== 'format_version' && k !== 'revision' && k !== 'digest')
    .map(([k, v]) => /** @type {[Buffer, string]} */ ([Buffer.from(k, 'utf8'), v]))
    .sort((a, b) => Buffer.compare(a[0], b[0]));
  const h = crypto.createHash('sha256');
  const nul = Buffer.from([0]);
  for (const [k, v] of sorted) {
    h.update(k);
    h.update(nul);
    h.update(Buffer.from(v, 'utf8'));
    h.update(nul);
  }
  return 'sha256:' + h.digest('hex');
}

/**
 * @param {unknown} v
 * @returns {v is Record<string, unknown>}
 */
function isObject(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A profile file name must name a file directly inside the directory: the
 * index is input like any other.
 * @param {unknown} name
 * @returns {name is string}
 */
function safeFileName(name) {
  return typeof name === 'string' && name.length > 0 && name.length <= 255 &&
    !name.startsWith('.') && !/[/\\\0]/.test(name) && name === path.basename(name);
}

/**
 * @param {unknown} n
 * @returns {n is number}
 */
function isRevision(n) {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/**
 * Parses index.json.
 * @param {string} text
 * @returns {IndexEntry[]}
 */
function parseIndex(text) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ProfileError(`index.json is not valid JSON: ${errorMessage(e)}`, { pending: true });
  }
  if (!isObject(doc)) throw new ProfileError('index.json is not a JSON object');
  if (doc.format_version !== FORMAT_VERSION) {
    throw new ProfileError(`index.json has format_version ${JSON.stringify(doc.format_version)}; this adapter reads format ${FORMAT_VERSION}: update @sessctl/electron or sessctl so that both use the same format`);
  }
  if (!Array.isArray(doc.partitions)) throw new ProfileError('index.json has no "partitions" array');
  /** @type {IndexEntry[]} */
  const out = [];
  const seen = new Set();
  for (const [i, e] of doc.partitions.entries()) {
    if (!isObject(e) || typeof e.partition !== 'string' || !safeFileName(e.file) ||
        !isRevision(e.revision) || typeof e.digest !== 'string') {
      throw new ProfileError(`index.json partitions[${i}] is malformed: it needs a string "partition", a plain file name "file", an integer "revision" and a string "digest"`);
    }
    if (seen.has(e.partition)) throw new ProfileError(`index.json lists partition ${JSON.stringify(e.partition)} twice`);
    seen.add(e.partition);
    out.push({ partition: e.partition, file: e.file, persistent: e.persistent === true, revision: e.revision, digest: e.digest });
  }
  return out;
}

/**
 * Reads and parses index.json in dir.
 * @param {string} dir
 * @returns {Promise<IndexEntry[]>}
 */
async function readIndex(dir) {
  let text;
  try {
    text = await fs.promises.readFile(path.join(dir, INDEX_FILE), 'utf8');
  } catch (e) {
    const code = /** @type {NodeJS.ErrnoException} */ (e).code;
    if (code === 'ENOENT') throw new ProfileError(`no ${INDEX_FILE} in ${dir}: run "sessctl apply" with this output directory`, { pending: true });
    throw new ProfileError(`cannot read ${path.join(dir, INDEX_FILE)}: ${errorMessage(e)}`);
  }
  return parseIndex(text);
}

/**
 * Parses a profile's text and checks it against its index entry.
 * @param {string} text
 * @param {IndexEntry} entry
 * @returns {Profile}
 */
function parseProfile(text, entry) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ProfileError(`${entry.file} is not valid JSON: ${errorMessage(e)}`, { pending: true });
  }
  if (!isObject(doc)) throw new ProfileError(`${entry.file} is not a JSON object`);
  if (doc.format_version !== FORMAT_VERSION) {
    throw new ProfileError(`${entry.file} has format_version ${JSON.stringify(doc.format_version)}; this adapter reads format ${FORMAT_VERSION}`);
  }
  if (!isRevision(doc.revision) || typeof doc.digest !== 'string') {
    throw new ProfileError(`${entry.file} has no integer "revision" or string "digest"`);
  }
  const members = topLevelMembers(text).map(([k, v]) => /** @type {[string, string]} */ ([k, compact(v)]));
  const digest = contentDigest(members.map(([k, v]) => /** @type {[string, string]} */ ([k, redactSecrets(v)])));
  if (digest !== doc.digest) {
    throw new ProfileError(`${entry.file} does not match its own digest (content hashes to ${digest}, the file says ${doc.digest}): it was modified after sessctl wrote it; run "sessctl apply" to rewrite it`);
  }
  if (doc.revision !== entry.revision || doc.digest !== entry.digest) {
    // sessctl writes profiles before index.json: a newer profile than the
    // index says is the middle of an apply, and the index write that
    // follows wakes the watcher again.
    const pending = doc.revision > entry.revision;
    throw new ProfileError(`${entry.file} is revision ${doc.revision} (${doc.digest}) but index.json names revision ${entry.revision} (${entry.digest})`, { pending });
  }
  if (doc.partition !== entry.partition) {
    throw new ProfileError(`${entry.file} is for partition ${JSON.stringify(doc.partition)} but index.json names it for ${JSON.stringify(entry.partition)}`);
  }
  /** @type {Record<string, unknown>} */
  const fields = {};
  /** @type {Record<string, string>} */
  const raw = {};
  for (const [k, v] of members) {
    if (CORE_KEYS.has(k)) continue;
    fields[k] = doc[k];
    raw[k] = v;
  }
  return {
    partition: entry.partition,
    persistent: doc.persistent === true,
    cache: doc.cache !== false,
    revision: doc.revision,
    digest: doc.digest,
    fields,
    raw,
  };
}

/**
 * Reads the profile an index entry names.
 * @param {string} dir
 * @param {IndexEntry} entry
 * @returns {Promise<Profile>}
 */
async function readProfile(dir, entry) {
  let text;
  try {
    text = await fs.promises.readFile(path.join(dir, entry.file), 'utf8');
  } catch (e) {
    // Not pending, even for a missing file: sessctl writes index.json
    // after the profiles it names and removes old profiles only after
    // that, so a miss here is either a lasting problem worth reporting or
    // a race whose index write wakes the next sync, which corrects the
    // status.
    throw new ProfileError(`cannot read ${entry.file}: ${errorMessage(e)}`);
  }
  return parseProfile(text, entry);
}

/**
 * The message of anything thrown, as Electron reports it.
 * @param {unknown} e
 */
function errorMessage(e) {
  if (e instanceof Error) return e.message;
  return String(e);
}

module.exports = {
  FORMAT_VERSION,
  INDEX_FILE,
  ProfileError,
  topLevelMembers,
  compact,
  contentDigest,
  redactSecrets,
  parseIndex,
  readIndex,
  parseProfile,
  readProfile,
  safeFileName,
  errorMessage,
  isObject,
};
