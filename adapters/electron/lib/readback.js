// @ts-check
'use strict';

// Read-backs: what Electron reports about a session, read after each apply
// and every `readbackMs`, for the status file's `readback` member, which
// `sessctl show PARTITION --status` prints beside the desired profile
// (docs/electron-adapter.md "Read-backs"). Every getter is guarded: one
// that throws gives null and an entry in `errors`. Lists are bounded
// (MAX_ITEMS, MAX_WORDS) and strings cut (MAX_STRING), and `truncated`
// names the members that were cut.

const { errorMessage } = require('./profile');
const { MAX_STRING } = require('./events');

/** @typedef {import('./types').SessionLike} SessionLike */

/** Most entries kept of a list (extensions, preloads, languages, scopes). */
const MAX_ITEMS = 200;
/** Most custom dictionary words kept. */
const MAX_WORDS = 1000;

/**
 * @typedef {object} ExtensionInfo
 * @property {string} id
 * @property {string} name Electron's name (the manifest's).
 * @property {string} version
 * @property {string} path
 */

/**
 * @typedef {object} PreloadScriptInfo
 * @property {string} id
 * @property {string} type
 * @property {string} file_path
 */

/**
 * The status file's `readback` member: each getter's answer, null when it
 * threw or this Electron lacks it.
 * @typedef {object} Readback
 * @property {string} read_at RFC 3339 UTC time of the read.
 * @property {boolean|null} persistent isPersistent().
 * @property {number|null} cache_size getCacheSize(), bytes.
 * @property {string|null} storage_path getStoragePath(): where the partition keeps its data on disk; null for an in-memory partition.
 * @property {string|null} user_agent getUserAgent().
 * @property {ExtensionInfo[]|null} extensions extensions.getAllExtensions(): every loaded extension, the app's too.
 * @property {string[]|null} extensions_missing IDs this adapter loaded that extensions.getExtension(id) no longer finds.
 * @property {string[]|null} preloads getPreloads(): the paths set with setPreloads.
 * @property {PreloadScriptInfo[]|null} preload_scripts getPreloadScripts().
 * @property {boolean|null} spellchecker_enabled isSpellCheckerEnabled().
 * @property {string[]|null} spellchecker_languages getSpellCheckerLanguages().
 * @property {string[]|null} spellchecker_available_languages availableSpellCheckerLanguages.
 * @property {string[]|null} spellchecker_words listWordsInSpellCheckerDictionary(), sorted.
 * @property {number|null} spellchecker_word_count how many words the dictionary has (spellchecker_words may hold fewer).
 * @property {{count: number, scopes: string[]}|null} service_workers serviceWorkers.getAllRunning(): how many run, and their scopes (sorted, unique).
 * @property {Array<{call: string, message: string}>} errors the getters that threw, with Electron's message.
 * @property {string[]} truncated the members whose list was cut to the bound.
 */

/** Member order of `readback` (part of the status file format). */
const READBACK_MEMBERS = /** @type {const} */ ([
  'read_at', 'persistent', 'cache_size', 'storage_path', 'user_agent', 'extensions', 'extensions_missing', 'preloads',
  'preload_scripts', 'spellchecker_enabled', 'spellchecker_languages', 'spellchecker_available_languages',
  'spellchecker_words', 'spellchecker_word_count', 'service_workers', 'errors', 'truncated',
]);

/**
 * @param {unknown} v
 * @returns {string}
 */
function str(v) {
  const s = typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
  return s.length > MAX_STRING ? s.slice(0, MAX_STRING - 1) + '…' : s;
}

/**
 * Reads everything Electron reports about the session. Never throws.
 * @param {SessionLike} ses
 * @param {Iterable<string>} ownExtensions IDs of the extensions this adapter loaded.
 * @returns {Promise<Readback>}
 */
async function readSession(ses, ownExtensions) {
  /** @type {Array<{call: string, message: string}>} */
  const errors = [];
  /** @type {string[]} */
  const truncated = [];
  /**
   * @template T
   * @param {string} call
   * @param {() => T | Promise<T>} fn
   * @returns {Promise<T|null>}
   */
  const read = async (call, fn) => {
    try {
      return await fn();
    } catch (e) {
      if (errors.length < MAX_ITEMS) errors.push({ call, message: str(errorMessage(e)) });
      return null;
    }
  };
  /**
   * @template T
   * @param {string} member
   * @param {T[]} list
   * @param {number} [max]
   * @returns {T[]}
   */
  const bound = (member, list, max = MAX_ITEMS) => {
    if (list.length <= max) return list;
    truncated.push(member);
    return list.slice(0, max);
  };
  /**
   * @param {string} member
   * @param {unknown} v
   * @param {number} [max]
   * @returns {string[]|null}
   */
  const strings = (member, v, max) => (Array.isArray(v) ? bound(member, v.map(str), max) : null);

  const persistent = await read('isPersistent', () => ses.isPersistent());
  const cacheSize = await read('getCacheSize', () => ses.getCacheSize());
  const storagePath = await read('getStoragePath', () => ses.getStoragePath());
  const userAgent = await read('getUserAgent', () => ses.getUserAgent());
  const api = ses.extensions;
  const all = api ? await read('extensions.getAllExtensions', () => api.getAllExtensions()) : null;
  /** @type {string[]|null} */
  let missing = null;
  if (api) {
    missing = [];
    for (const id of ownExtensions) {
      const x = await read('extensions.getExtension', () => api.getExtension(id));
      if (x === null && missing.length < MAX_ITEMS) missing.push(str(id));
    }
  }
  const preloads = await read('getPreloads', () => ses.getPreloads());
  const scripts = typeof ses.getPreloadScripts === 'function' ? await read('getPreloadScripts', () => ses.getPreloadScripts()) : null;
  const enabled = await read('isSpellCheckerEnabled', () => ses.isSpellCheckerEnabled());
  const languages = await read('getSpellCheckerLanguages', () => ses.getSpellCheckerLanguages());
  const available = await read('availableSpellCheckerLanguages', () => ses.availableSpellCheckerLanguages);
  const words = await read('listWordsInSpellCheckerDictionary', () => ses.listWordsInSpellCheckerDictionary());
  const sw = ses.serviceWorkers;
  const running = sw ? await read('serviceWorkers.getAllRunning', () => sw.getAllRunning()) : null;

  /** @type {Readback['service_workers']} */
  let serviceWorkers = null;
  if (running && typeof running === 'object') {
    const infos = Object.values(running);
    const scopes = [...new Set(infos.map((w) => str(w && w.scope)))].sort();
    serviceWorkers = { count: infos.length, scopes: bound('service_workers', scopes) };
  }
  return {
    read_at: new Date().toISOString(),
    persistent: typeof persistent === 'boolean' ? persistent : null,
    cache_size: typeof cacheSize === 'number' && Number.isFinite(cacheSize) ? cacheSize : null,
    storage_path: typeof storagePath === 'string' ? str(storagePath) : null,
    user_agent: typeof userAgent === 'string' ? str(userAgent) : null,
    extensions: Array.isArray(all)
      ? bound('extensions', all.map((x) => ({ id: str(x.id), name: str(x.name), version: str(x.version), path: str(x.path) })))
      : null,
    extensions_missing: missing,
    preloads: strings('preloads', preloads),
    preload_scripts: Array.isArray(scripts)
      ? bound('preload_scripts', scripts.map((p) => ({ id: str(p.id), type: str(p.type), file_path: str(p.filePath) })))
      : null,
    spellchecker_enabled: typeof enabled === 'boolean' ? enabled : null,
    spellchecker_languages: strings('spellchecker_languages', languages),
    spellchecker_available_languages: strings('spellchecker_available_languages', available),
    spellchecker_words: Array.isArray(words) ? bound('spellchecker_words', words.map(str).sort(), MAX_WORDS) : null,
    spellchecker_word_count: Array.isArray(words) ? words.length : null,
    service_workers: serviceWorkers,
    errors,
    truncated,
  };
}

module.exports = { readSession, READBACK_MEMBERS, MAX_ITEMS, MAX_WORDS };
