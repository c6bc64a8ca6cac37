// @ts-check
'use strict';

// A recording stand-in for Electron's Session, typed as the real API subset
// the adapter uses (SessionLike = Pick<Electron.Session, ...>), so that tsc
// checks every method against electron.d.ts. It records each call with its
// arguments and reproduces the behaviours the adapter depends on, with
// Electron's messages (docs/electron-facts.md):
// - registerPreloadScript throws on a duplicate ID and on a relative path,
//   unregisterPreloadScript on an unknown ID (electron_api_session.cc 1109-1172);
// - setSpellCheckerLanguages throws on an unknown code and stores the list,
//   an empty list disables spellchecking (1599-1619);
// - add/removeWordFromSpellCheckerDictionary return false for in-memory
//   sessions, duplicates, invalid or absent words (1659-1699);
// - setSpellCheckerDictionaryDownloadURL throws on an invalid URL (1621-1632).
// Events are driven with emit(); the getters the adapter reads back
// (lib/readback.js) return the fake's fields, and a method in `failures`
// throws or rejects as Electron would.

/** @typedef {import('../lib/types').SessionLike} SessionLike */
/** @typedef {import('../lib/types').ExtensionsLike} ExtensionsLike */
/** @typedef {import('../lib/types').NetLogLike} NetLogLike */
/** @typedef {import('../lib/types').CookiesLike} CookiesLike */
/** @typedef {{method: string, args: unknown[]}} Call */

/** Electron 45's spellchecker languages (docs/electron-facts.md §2). */
const LANGUAGES = new Set(('af bg ca cs cy da de de-DE el en en-AU en-CA en-GB en-GB-oxendict en-US es es-419 es-AR ' +
  'es-ES es-MX es-US et fa fo fr fr-FR gl he hi hr hu hy id it it-IT ko lt lv nb nl pl pt pt-BR pt-PT ro ru ' +
  'sh sk sl sq sr sv ta tg tr uk vi').split(' '));

/** @implements {ExtensionsLike} */
class FakeExtensions {
  /** @param {FakeSession} owner */
  constructor(owner) {
    this.owner = owner;
    /** @type {Map<string, Electron.Extension>} */
    this.loaded = new Map();
    /** @type {Map<string, {id: string, version: string, name?: string} | Error>} what loadExtension finds at a path. */
    this.disk = new Map();
  }

  /**
   * @param {string} path
   * @param {Electron.LoadExtensionOptions} [options]
   * @returns {Promise<Electron.Extension>}
   */
  async loadExtension(path, options) {
    this.owner.record('extensions.loadExtension', [path, options]);
    const found = this.disk.get(path);
    if (!found) throw new Error(`Loading extension at ${path} failed with: Manifest file is missing or unreadable`);
    if (found instanceof Error) throw found;
    /** @type {Electron.Extension} */
    const ext = {
      id: found.id, version: found.version, name: found.name || 'ext', path, url: `chrome-extension://${found.id}/`,
      manifest: {}, dynamicId: 'dyn-' + found.id,
    };
    this.loaded.set(found.id, ext);
    return ext;
  }

  /** @param {string} extensionId */
  removeExtension(extensionId) {
    this.owner.record('extensions.removeExtension', [extensionId]);
    this.loaded.delete(extensionId);
  }

  /** @returns {Electron.Extension[]} */
  getAllExtensions() {
    this.owner.fail('extensions.getAllExtensions');
    return [...this.loaded.values()];
  }

  /**
   * @param {string} extensionId
   * @returns {Electron.Extension | null}
   */
  getExtension(extensionId) {
    this.owner.fail('extensions.getExtension');
    return this.loaded.get(extensionId) || null;
  }
}

/**
 * A stand-in for `ses.cookies`: a jar keyed by URL and name. set and
 * remove are recorded; get (a read back) is not.
 * @implements {CookiesLike}
 */
class FakeCookies {
  /** @param {FakeSession} owner */
  constructor(owner) {
    this.owner = owner;
    /** @type {Map<string, Electron.Cookie & {url: string}>} */
    this.jar = new Map();
  }

  /**
   * @param {string} url
   * @param {string} name
   */
  static key(url, name) {
    return `${url}\n${name}`;
  }

  /** @param {Electron.CookiesSetDetails} details */
  async set(details) {
    this.owner.record('cookies.set', [details]);
    const name = details.name ?? '';
    this.jar.set(FakeCookies.key(details.url, name), {
      url: details.url, name, value: details.value ?? '', domain: details.domain, path: details.path,
      secure: details.secure, httpOnly: details.httpOnly, sameSite: details.sameSite ?? 'lax',
      session: details.expirationDate === undefined, expirationDate: details.expirationDate,
    });
  }

  /** @param {Electron.CookiesGetFilter} filter */
  async get(filter) {
    this.owner.fail('cookies.get');
    return [...this.jar.values()]
      .filter((c) => (filter.url === undefined || c.url === filter.url) && (filter.name === undefined || c.name === filter.name))
      .map(({ url: _url, ...c }) => c);
  }

  /**
   * @param {string} url
   * @param {string} name
   */
  async remove(url, name) {
    this.owner.record('cookies.remove', [url, name]);
    this.jar.delete(FakeCookies.key(url, name));
  }
}

/** @implements {NetLogLike} */
class FakeNetLog {
  /** @param {FakeSession} owner */
  constructor(owner) {
    this.owner = owner;
    /** @type {string|null} the file being written. */
    this.file = null;
  }

  /**
   * Throws (synchronously) while a capture runs, as Electron does
   * (shell/browser/api/electron_api_net_log.cc StartLogging: TypeError
   * "There is already a net log running").
   * @param {string} path
   * @param {Electron.StartLoggingOptions} [options]
   * @returns {Promise<void>}
   */
  startLogging(path, options) {
    this.owner.record('netLog.startLogging', [path, options]);
    if (this.file !== null) throw new TypeError('There is already a net log running');
    this.file = path;
    return Promise.resolve();
  }

  async stopLogging() {
    this.owner.record('netLog.stopLogging', []);
    this.file = null;
  }
}

/** A stand-in for `ses.serviceWorkers`: `running` is what getAllRunning returns. */
class FakeServiceWorkers {
  /** @param {FakeSession} owner */
  constructor(owner) {
    this.owner = owner;
    /** @type {Record<number, Electron.ServiceWorkerInfo>} */
    this.running = {};
  }

  getAllRunning() {
    this.owner.fail('serviceWorkers.getAllRunning');
    return { ...this.running };
  }
}

/**
 * Session events whose subscriptions are not recorded as calls: the
 * adapter observes them (lib/events.js) on every session it gets, which
 * changes nothing in Electron. `on('select-serial-port')` is recorded: it
 * installs the port chooser.
 */
const OBSERVED = new Set([
  'will-download', 'extension-loaded', 'extension-unloaded', 'extension-ready', 'preconnect',
  'spellcheck-dictionary-initialized', 'spellcheck-dictionary-download-begin',
  'spellcheck-dictionary-download-success', 'spellcheck-dictionary-download-failure',
  'serial-port-added', 'serial-port-removed', 'serial-port-revoked',
  'hid-device-added', 'hid-device-removed', 'hid-device-revoked',
  'usb-device-added', 'usb-device-removed', 'usb-device-revoked',
]);

/** @implements {SessionLike} */
class FakeSession {
  /**
   * @param {string} partition
   * @param {{persistent?: boolean, cache?: boolean}} [opts]
   */
  constructor(partition, opts = {}) {
    this.partition = partition;
    this.persistent = opts.persistent ?? (partition === '' || partition.startsWith('persist:'));
    this.cache = opts.cache;
    /** @type {Call[]} */
    this.calls = [];
    this.userAgent = 'Mozilla/5.0 Electron/45.5.0';
    /** @type {string[]} */
    this.languages = ['en-US'];
    this.spellEnabled = true;
    /** @type {Set<string>} */
    this.words = new Set();
    /** @type {Map<string, Electron.PreloadScript>} */
    this.preloadScripts = new Map();
    /** @type {Parameters<SessionLike['setPermissionRequestHandler']>[0]} */
    this.requestHandler = null;
    /** @type {Parameters<SessionLike['setPermissionCheckHandler']>[0]} */
    this.checkHandler = null;
    /** @type {Parameters<SessionLike['setCertificateVerifyProc']>[0]} */
    this.verifyProc = null;
    /** @type {Parameters<SessionLike['setDisplayMediaRequestHandler']>[0]} */
    this.displayMediaHandler = null;
    /** @type {Parameters<SessionLike['setDisplayMediaRequestHandler']>[1]} */
    this.displayMediaOpts = undefined;
    /** @type {Parameters<SessionLike['setDevicePermissionHandler']>[0]} */
    this.devicePermissionHandler = null;
    /** @type {Parameters<SessionLike['setBluetoothPairingHandler']>[0]} */
    this.bluetoothPairingHandler = null;
    /** @type {Map<string, Array<(...args: any[]) => void>>} */
    this.listeners = new Map();
    /** @type {string[]} the observed events subscribed to (see OBSERVED), in order. */
    this.subscriptions = [];
    this.webRequest = new FakeWebRequest(this);
    /** @type {Map<string, Error>} methods that throw (or reject) with the given error. */
    this.failures = new Map();
    this.extensions = new FakeExtensions(this);
    this.netLog = new FakeNetLog(this);
    this.cookies = new FakeCookies(this);
    /** @type {string[]} URLs downloadURL was called with. */
    this.downloads = [];
    this.serviceWorkers = new FakeServiceWorkers(this);
    /** What getCacheSize resolves with. */
    this.cacheSize = 0;
    /** @type {(() => Promise<number>) | null} when set, getCacheSize's answer (a test holds a read back with it). */
    this.cacheSizeHook = null;
    /** @type {string[]} what getPreloads returns (setPreloads replaces it). */
    this.preloadPaths = [];
    /** @type {string[]} */
    this.availableLanguages = [...LANGUAGES].sort();
  }

  /**
   * Throws the error set for a getter in `failures` (getters are not
   * recorded as calls: reading back changes nothing).
   * @param {string} method
   */
  fail(method) {
    const err = this.failures.get(method);
    if (err) throw err;
  }

  /**
   * Emits a session event to its listeners, as Electron would.
   * @param {string} event
   * @param {...unknown} args the arguments after the Event object.
   * @returns {{defaultPrevented: boolean}} the Event object passed.
   */
  emit(event, ...args) {
    const ev = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    for (const l of [...(this.listeners.get(event) || [])]) l(ev, ...args);
    return ev;
  }

  /** @returns {Promise<number>} */
  async getCacheSize() {
    this.fail('getCacheSize');
    if (this.cacheSizeHook) return this.cacheSizeHook();
    return this.cacheSize;
  }

  getPreloads() {
    this.fail('getPreloads');
    return [...this.preloadPaths];
  }

  isPersistent() {
    this.fail('isPersistent');
    return this.persistent;
  }

  /** @returns {string|null} */
  getStoragePath() {
    this.fail('getStoragePath');
    return this.persistent ? `/home/u/.config/app/Partitions/${this.partition.replace(/^persist:/, '')}` : null;
  }

  /** @type {string[]} */
  get availableSpellCheckerLanguages() {
    this.fail('availableSpellCheckerLanguages');
    return [...this.availableLanguages];
  }

  /**
   * @param {string} method
   * @param {unknown[]} args
   */
  record(method, args) {
    this.calls.push({ method, args });
    const err = this.failures.get(method);
    if (err) throw err;
  }

  /** Returns the calls so far and forgets them. */
  take() {
    const c = this.calls;
    this.calls = [];
    return c;
  }

  /** @param {Electron.ProxyConfig} config */
  async setProxy(config) {
    this.record('setProxy', [config]);
  }

  async closeAllConnections() {
    this.record('closeAllConnections', []);
  }

  async forceReloadProxyConfig() {
    this.record('forceReloadProxyConfig', []);
  }

  async clearHostResolverCache() {
    this.record('clearHostResolverCache', []);
  }

  async clearAuthCache() {
    this.record('clearAuthCache', []);
  }

  async clearCache() {
    this.record('clearCache', []);
    this.cacheSize = 0;
  }

  /** @param {Electron.ClearStorageDataOptions} [options] */
  async clearStorageData(options) {
    this.record('clearStorageData', options === undefined ? [] : [options]);
  }

  flushStorageData() {
    this.record('flushStorageData', []);
  }

  /**
   * @param {string} url
   * @param {Electron.DownloadURLOptions} [options]
   */
  downloadURL(url, options) {
    this.record('downloadURL', options === undefined ? [url] : [url, options]);
    this.downloads.push(url);
  }

  /** @param {Electron.Config} config */
  setSSLConfig(config) {
    this.record('setSSLConfig', [config]);
  }

  /**
   * @param {string} userAgent
   * @param {string} [acceptLanguages]
   */
  setUserAgent(userAgent, acceptLanguages) {
    this.record('setUserAgent', acceptLanguages === undefined ? [userAgent] : [userAgent, acceptLanguages]);
    this.userAgent = userAgent;
  }

  getUserAgent() {
    this.fail('getUserAgent');
    return this.userAgent;
  }

  /** @param {string} path */
  setDownloadPath(path) {
    this.record('setDownloadPath', [path]);
  }

  /** @param {Electron.PreloadScriptRegistration} script */
  registerPreloadScript(script) {
    this.record('registerPreloadScript', [script]);
    const id = script.id || 'random-uuid';
    if (this.preloadScripts.has(id)) throw new Error(`Cannot register preload script with existing ID '${id}'`);
    if (!script.filePath.startsWith('/')) throw new Error(`Preload script must have absolute path: ${script.filePath}`);
    this.preloadScripts.set(id, { id, type: script.type, filePath: script.filePath });
    return id;
  }

  /** @param {string} id */
  unregisterPreloadScript(id) {
    this.record('unregisterPreloadScript', [id]);
    if (!this.preloadScripts.delete(id)) throw new Error(`Cannot unregister preload script with non-existing ID '${id}'`);
  }

  getPreloadScripts() {
    this.fail('getPreloadScripts');
    return [...this.preloadScripts.values()];
  }

  /** @param {string[]} preloads */
  setPreloads(preloads) {
    this.record('setPreloads', [preloads]);
    this.preloadPaths = [...preloads];
  }

  /** @param {boolean} enable */
  setSpellCheckerEnabled(enable) {
    this.record('setSpellCheckerEnabled', [enable]);
    this.spellEnabled = enable;
  }

  isSpellCheckerEnabled() {
    this.fail('isSpellCheckerEnabled');
    return this.spellEnabled;
  }

  /** @param {string[]} languages */
  setSpellCheckerLanguages(languages) {
    this.record('setSpellCheckerLanguages', [languages]);
    for (const l of languages) {
      if (!LANGUAGES.has(l)) throw new Error(`Invalid language code provided: "${l}" is not a valid language code`);
    }
    this.languages = [...languages];
    this.spellEnabled = languages.length > 0;
  }

  getSpellCheckerLanguages() {
    this.fail('getSpellCheckerLanguages');
    return [...this.languages];
  }

  /** @param {string} url */
  setSpellCheckerDictionaryDownloadURL(url) {
    this.record('setSpellCheckerDictionaryDownloadURL', [url]);
    try {
      new URL(url);
    } catch {
      throw new Error('The URL you provided to setSpellCheckerDictionaryDownloadURL is not a valid URL');
    }
  }

  async listWordsInSpellCheckerDictionary() {
    // A getter: not recorded, because the adapter also reads the words
    // back after every apply (lib/readback.js).
    this.fail('listWordsInSpellCheckerDictionary');
    return [...this.words].sort();
  }

  /** @param {string} word */
  addWordToSpellCheckerDictionary(word) {
    this.record('addWordToSpellCheckerDictionary', [word]);
    if (!this.persistent || word === '' || this.words.has(word)) return false;
    this.words.add(word);
    return true;
  }

  /** @param {string} word */
  removeWordFromSpellCheckerDictionary(word) {
    this.record('removeWordFromSpellCheckerDictionary', [word]);
    if (!this.persistent) return false;
    return this.words.delete(word);
  }

  /** @param {Electron.EnableNetworkEmulationOptions} options */
  enableNetworkEmulation(options) {
    this.record('enableNetworkEmulation', [options]);
  }

  disableNetworkEmulation() {
    this.record('disableNetworkEmulation', []);
  }

  /** @param {string} domains */
  allowNTLMCredentialsForDomains(domains) {
    this.record('allowNTLMCredentialsForDomains', [domains]);
  }

  /** @param {Electron.PreconnectOptions} options */
  preconnect(options) {
    this.record('preconnect', [options]);
  }

  /** @param {Parameters<SessionLike['setPermissionRequestHandler']>[0]} handler */
  setPermissionRequestHandler(handler) {
    this.record('setPermissionRequestHandler', [handler === null ? null : 'function']);
    this.requestHandler = handler;
  }

  /** @param {Parameters<SessionLike['setPermissionCheckHandler']>[0]} handler */
  setPermissionCheckHandler(handler) {
    this.record('setPermissionCheckHandler', [handler === null ? null : 'function']);
    this.checkHandler = handler;
  }

  /** @param {Parameters<SessionLike['setCertificateVerifyProc']>[0]} proc */
  setCertificateVerifyProc(proc) {
    this.record('setCertificateVerifyProc', [proc === null ? null : 'function']);
    this.verifyProc = proc;
  }

  /**
   * @param {Parameters<SessionLike['setDisplayMediaRequestHandler']>[0]} handler
   * @param {Parameters<SessionLike['setDisplayMediaRequestHandler']>[1]} [opts]
   */
  setDisplayMediaRequestHandler(handler, opts) {
    this.record('setDisplayMediaRequestHandler', handler === null ? [null] : ['function', opts]);
    this.displayMediaHandler = handler;
    this.displayMediaOpts = opts;
  }

  /** @param {Parameters<SessionLike['setDevicePermissionHandler']>[0]} handler */
  setDevicePermissionHandler(handler) {
    this.record('setDevicePermissionHandler', [handler === null ? null : 'function']);
    this.devicePermissionHandler = handler;
  }

  /** @param {Parameters<SessionLike['setBluetoothPairingHandler']>[0]} handler */
  setBluetoothPairingHandler(handler) {
    this.record('setBluetoothPairingHandler', [handler === null ? null : 'function']);
    this.bluetoothPairingHandler = handler;
  }

  /**
   * @param {string} event
   * @param {(...args: any[]) => void} listener
   * @returns {this}
   */
  on(event, listener) {
    if (OBSERVED.has(event)) this.subscriptions.push(event);
    else this.record('on', [event]);
    const l = this.listeners.get(event) || [];
    l.push(listener);
    this.listeners.set(event, l);
    return this;
  }

  /**
   * @param {string} event
   * @param {(...args: any[]) => void} listener
   * @returns {this}
   */
  removeListener(event, listener) {
    if (!OBSERVED.has(event)) this.record('removeListener', [event]);
    const l = this.listeners.get(event) || [];
    this.listeners.set(event, l.filter((x) => x !== listener));
    return this;
  }
}

/**
 * A stand-in for Electron's `session` module: fromPartition returns one
 * FakeSession per name and records the options it was first asked with.
 */
/**
 * ses.webRequest: like Electron, one listener per event; setting one
 * replaces the previous, null removes it. Calls are recorded on the
 * session as webRequest.onBeforeRequest / webRequest.onBeforeSendHeaders
 * with the filter's urls (or null).
 */
class FakeWebRequest {
  /** @param {FakeSession} ses */
  constructor(ses) {
    this.ses = ses;
    /** @type {{filter: Electron.WebRequestFilter, listener: Function}|null} */
    this.beforeRequest = null;
    /** @type {{filter: Electron.WebRequestFilter, listener: Function}|null} */
    this.beforeSendHeaders = null;
  }

  /**
   * @param {'beforeRequest'|'beforeSendHeaders'} slot
   * @param {any} a
   * @param {any} b
   */
  set(slot, a, b) {
    const [filter, listener] = typeof a === 'function' || a === null ? [{ urls: ['<all_urls>'] }, a] : [a, b];
    this.ses.record(slot === 'beforeRequest' ? 'webRequest.onBeforeRequest' : 'webRequest.onBeforeSendHeaders', listener === null ? [null] : [filter.urls]);
    this[slot] = listener === null ? null : { filter, listener };
  }

  /**
   * @param {any} a filter, or the listener
   * @param {any} [b] the listener after a filter
   */
  onBeforeRequest(a, b) { this.set('beforeRequest', a, b); }

  /**
   * @param {any} a filter, or the listener
   * @param {any} [b] the listener after a filter
   */
  onBeforeSendHeaders(a, b) { this.set('beforeSendHeaders', a, b); }
}

class FakeSessionModule {
  constructor() {
    /** @type {Map<string, FakeSession>} */
    this.sessions = new Map();
    /** @type {Array<{partition: string, options: Electron.FromPartitionOptions | undefined}>} */
    this.fromPartitionCalls = [];
    this.defaultSession = new FakeSession('');
  }

  /**
   * @param {string} partition
   * @param {Electron.FromPartitionOptions} [options]
   * @returns {FakeSession}
   */
  fromPartition(partition, options) {
    this.fromPartitionCalls.push({ partition, options });
    let s = this.sessions.get(partition);
    if (!s) {
      s = new FakeSession(partition, { cache: options && options.cache });
      this.sessions.set(partition, s);
    }
    return s;
  }

  /**
   * @param {string} partition
   * @returns {FakeSession}
   */
  get(partition) {
    if (partition === '') return this.defaultSession;
    const s = this.sessions.get(partition);
    if (!s) throw new Error(`no session ${partition}`);
    return s;
  }
}

/** @type {import('../lib/types').SessionModule} */
const typeCheck = new FakeSessionModule();
void typeCheck;

/**
 * Electron's desktopCapturer as the displayMedia handler uses it: getSources
 * resolves with `sources` filtered by type, in their order (screens and
 * windows as Electron lists them), and records each call's options.
 */
class FakeDesktopCapturer {
  /** @param {Array<{id: string, name: string}>} sources */
  constructor(sources) {
    this.sources = sources;
    /** @type {Electron.SourcesOptions[]} */
    this.calls = [];
    /** @type {Error|null} when set, getSources rejects with it. */
    this.failure = null;
  }

  /**
   * @param {Electron.SourcesOptions} options
   * @returns {Promise<Electron.DesktopCapturerSource[]>}
   */
  async getSources(options) {
    this.calls.push(options);
    if (this.failure) throw this.failure;
    const types = /** @type {string[]} */ (options.types);
    return this.sources.filter((s) => types.includes(s.id.split(':')[0])).map((s) => /** @type {Electron.DesktopCapturerSource} */ (/** @type {unknown} */ ({
      ...s, display_id: '', appIcon: null, thumbnail: null,
    })));
  }
}

/** @type {import('../lib/types').DesktopCapturerLike} */
const fakeCapturerIsDesktopCapturerLike = new FakeDesktopCapturer([]);
void fakeCapturerIsDesktopCapturerLike;

module.exports = { FakeSession, FakeWebRequest, FakeSessionModule, FakeExtensions, FakeNetLog, FakeServiceWorkers, OBSERVED, FakeDesktopCapturer };
