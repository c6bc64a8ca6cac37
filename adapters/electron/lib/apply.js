// @ts-check
'use strict';

// Applying one partition's profile to its Electron session. Each profile
// field is the argument of the Electron call(s) it feeds (docs/families.md
// "Profile fields"); this file decides which calls to make, in which order,
// and which ones a new revision needs: a field whose compact JSON is the
// same as in the revision applied before (and that did not fail then) is
// not touched again, so an update that changes the user agent does not
// reload extensions or drop pooled connections.

const crypto = require('node:crypto');
const fs = require('node:fs');

const decide = require('./decide');
const { errorMessage, isObject } = require('./profile');

/** @typedef {import('./types').SessionLike} SessionLike */
/** @typedef {import('./types').FieldError} FieldError */
/** @typedef {import('./types').LoadedExtension} LoadedExtension */
/** @typedef {import('./profile').Profile} Profile */

/**
 * Every provider field this adapter applies, in the order it applies them:
 * the handlers first, so that the partition's security policy is in place
 * before anything else changes; preconnect last, "once the session is
 * configured" (docs/families.md).
 */
const FIELD_ORDER = [
  'permissions', 'certificateRules', 'serialRules',
  'proxy', 'sslConfig', 'userAgent', 'acceptLanguages', 'downloadPath',
  'preloadApi', 'preloads', 'spellChecker', 'extensions', 'networkEmulation',
  'ntlmDomains', 'preconnect',
];
const KNOWN_FIELDS = new Set(FIELD_ORDER);

/**
 * Fields whose Electron setting cannot be put back when the field leaves the
 * profile: Electron has no getter for the value it had before. They keep
 * their last value until the app restarts, and the status lists them.
 */
const RETAINED_ON_REMOVAL = new Set(['proxy', 'userAgent', 'acceptLanguages', 'downloadPath', 'spellChecker', 'ntlmDomains', 'preconnect']);

/**
 * Process-wide settings: called on a session, applied to the whole process,
 * last call wins (docs/families.md "Process-wide settings").
 * @typedef {object} GlobalCall
 * @property {string} partition
 * @property {string} value
 */

/**
 * @typedef {object} Globals
 * @property {GlobalCall|null} ntlmDomains last allowNTLMCredentialsForDomains call.
 * @property {GlobalCall|null} dictionaryDownloadURL last setSpellCheckerDictionaryDownloadURL call.
 */

/**
 * What the adapter did to one session, kept between revisions.
 */
class PartitionApplier {
  /**
   * @param {string} partition
   * @param {SessionLike} session
   */
  constructor(partition, session) {
    this.partition = partition;
    this.session = session;
    /** @type {Profile|null} the last profile applied (possibly with field errors). */
    this.applied = null;
    /** @type {FieldError[]} errors of the last apply. */
    this.errors = [];
    /** @type {Set<string>} fields removed from the profile whose value stays in Electron. */
    this.retained = new Set();
    /** @type {Map<string, {name: string, path: string, version: string, allowFileAccess: boolean}>} extensions this adapter loaded, by ID. */
    this.extensions = new Map();
    /** @type {Map<string, {type: 'frame'|'service-worker', filePath: string}>} preload scripts this adapter registered, by ID. */
    this.preloads = new Map();
    /** @type {boolean} whether the preloads were set with setPreloads (older Electron). */
    this.usedSetPreloads = false;
    /** @type {import('./types').SerialListener | null} */
    this.serialListener = null;
    /** @type {boolean} */
    this.permissionHandlers = false;
    /** @type {boolean} */
    this.verifyProc = false;
  }

  /**
   * Applies a profile: the calls for every field that changed since the
   * last applied revision, and the undo calls for fields that left it.
   * Never throws: what Electron refuses is returned as field errors.
   * @param {Profile} profile
   * @param {Globals} globals
   * @returns {Promise<FieldError[]>}
   */
  async apply(profile, globals) {
    const prev = this.applied;
    const failed = new Set(this.errors.map((e) => e.field));
    /** @type {FieldError[]} */
    const errors = [];
    /**
     * @param {string} field
     * @returns {boolean} whether the field needs its calls made.
     */
    const changed = (field) => {
      const next = profile.raw[field];
      if (next === undefined) return false;
      return prev === null || prev.raw[field] !== next || failed.has(field);
    };
    /** @param {string} field */
    const removed = (field) => prev !== null && prev.raw[field] !== undefined && profile.raw[field] === undefined;
    /**
     * Runs one Electron call, recording what it throws or rejects with.
     * @template T
     * @param {string} field
     * @param {string} call
     * @param {() => T} fn
     * @returns {Promise<{ok: true, value: Awaited<T>} | {ok: false}>}
     */
    const call = async (field, call, fn) => {
      try {
        return { ok: true, value: await fn() };
      } catch (e) {
        errors.push({ field, call, message: errorMessage(e) });
        return { ok: false };
      }
    };
    /**
     * @param {string} field
     * @param {string} message
     */
    const refuse = (field, message) => {
      errors.push({ field, call: null, message });
    };
    const ses = this.session;
    const f = profile.fields;

    for (const field of Object.keys(profile.raw)) {
      if (!KNOWN_FIELDS.has(field)) {
        refuse(field, `unknown profile field "${field}": this version of @sessctl/electron cannot apply it (written by a newer sessctl?); update the adapter`);
      }
    }

    // permissions: the request and check handlers.
    if (changed('permissions')) {
      const problem = checkPermissionTable(f.permissions);
      /** @type {decide.PermissionTable | null} */
      let table = null;
      if (problem && this.permissionHandlers) {
        refuse('permissions', `${problem}; the previous handlers stay in place`);
      } else if (problem) {
        // Without a handler Electron grants every request: a table the
        // adapter cannot read must not open everything the partition
        // meant to restrict, so every request and check is denied.
        refuse('permissions', `${problem}; every permission request and check is denied until the profile can be applied`);
        table = { formatVersion: decide.PERMISSIONS_FORMAT, default: 'deny', rules: [] };
      } else {
        table = /** @type {decide.PermissionTable} */ (f.permissions);
      }
      if (table) {
        const t = table;
        await call('permissions', 'setPermissionRequestHandler', () => ses.setPermissionRequestHandler(
          (_webContents, permission, callback, details) => {
            let allow = false;
            try {
              const d = /** @type {Partial<Electron.MediaAccessPermissionRequest & Electron.OpenExternalPermissionRequest>} */ (details || {});
              allow = decide.decidePermission(t, {
                handler: 'request',
                permission,
                origin: d.requestingUrl || '',
                mediaTypes: d.mediaTypes || [],
                externalURL: d.externalURL,
                isMainFrame: d.isMainFrame === true,
              }).decision === 'allow';
            } catch {
              allow = false; // never leave a request unanswered; fail closed
            }
            callback(allow);
          }));
        const checked = await call('permissions', 'setPermissionCheckHandler', () => ses.setPermissionCheckHandler(
          (_webContents, permission, requestingOrigin, details) => {
            try {
              return decide.decidePermission(t, {
                handler: 'check',
                permission,
                origin: requestingOrigin || '',
                mediaTypes: details && details.mediaType ? [details.mediaType] : [],
                isMainFrame: Boolean(details && details.isMainFrame),
              }).decision === 'allow';
            } catch {
              return false;
            }
          }));
        this.permissionHandlers = checked.ok || this.permissionHandlers;
      }
    } else if (removed('permissions') && this.permissionHandlers) {
      // No permissions block: Electron's defaults, i.e. no handlers.
      await call('permissions', 'setPermissionRequestHandler', () => ses.setPermissionRequestHandler(null));
      await call('permissions', 'setPermissionCheckHandler', () => ses.setPermissionCheckHandler(null));
      this.permissionHandlers = false;
    }

    // certificateRules: the verify proc.
    if (changed('certificateRules')) {
      const problem = checkCertificateTable(f.certificateRules);
      if (problem) {
        refuse('certificateRules', `${problem}; ${this.verifyProc ? 'the previous verify proc stays in place' : "Chromium's own verification decides"}`);
      } else {
        const table = /** @type {decide.CertificateTable} */ (f.certificateRules);
        const r = await call('certificateRules', 'setCertificateVerifyProc', () => ses.setCertificateVerifyProc(
          (request, callback) => {
            let code = decide.CODE_CHROMIUM;
            try {
              code = decide.verifyCertificate(table, request.hostname).code;
            } catch {
              code = decide.CODE_CHROMIUM; // Chromium's own verification decides
            }
            callback(code);
          }));
        this.verifyProc = r.ok || this.verifyProc;
      }
    } else if (removed('certificateRules') && this.verifyProc) {
      await call('certificateRules', 'setCertificateVerifyProc', () => ses.setCertificateVerifyProc(null));
      this.verifyProc = false;
    }

    // serialRules: the select-serial-port listener.
    if (changed('serialRules')) {
      const problem = checkSerialTable(f.serialRules);
      if (problem) {
        refuse('serialRules', `${problem}; ${this.serialListener ? 'the previous listener stays in place' : 'without a listener Electron cancels every port request'}`);
      } else {
        const table = /** @type {decide.SerialTable} */ (f.serialRules);
        await call('serialRules', 'removeListener', () => this.removeSerialListener());
        /** @type {NonNullable<PartitionApplier['serialListener']>} */
        const listener = (event, portList, _webContents, callback) => {
          // Without preventDefault Electron cancels the request at once
          // (serial_chooser_controller.cc).
          event.preventDefault();
          let portId = '';
          try {
            portId = decide.selectSerialPort(table, portList).portId;
          } catch {
            portId = ''; // cancel
          }
          callback(portId);
        };
        const r = await call('serialRules', 'on', () => ses.on('select-serial-port', listener));
        if (r.ok) this.serialListener = listener;
      }
    } else if (removed('serialRules')) {
      await call('serialRules', 'removeListener', () => this.removeSerialListener());
    }

    // proxy: setProxy replaces the whole configuration; pooled sockets keep
    // the old proxy until closeAllConnections (Electron's docs).
    if (changed('proxy')) {
      const r = await call('proxy', 'setProxy', () => ses.setProxy(/** @type {Electron.ProxyConfig} */ (f.proxy)));
      if (r.ok) await call('proxy', 'closeAllConnections', () => ses.closeAllConnections());
    }

    // sslConfig: each call replaces the whole config; {} is Chromium's default.
    if (changed('sslConfig')) {
      await call('sslConfig', 'setSSLConfig', () => ses.setSSLConfig(/** @type {Electron.Config} */ (f.sslConfig)));
    } else if (removed('sslConfig')) {
      await call('sslConfig', 'setSSLConfig', () => ses.setSSLConfig({}));
    }

    // userAgent and acceptLanguages: one setUserAgent call.
    if (changed('userAgent') || changed('acceptLanguages')) {
      const field = changed('userAgent') ? 'userAgent' : 'acceptLanguages';
      if (f.userAgent !== undefined && typeof f.userAgent !== 'string') {
        refuse('userAgent', 'userAgent is not a string');
      } else if (f.acceptLanguages !== undefined && typeof f.acceptLanguages !== 'string') {
        refuse('acceptLanguages', 'acceptLanguages is not a string');
      } else if (f.acceptLanguages === undefined) {
        const ua = /** @type {string} */ (f.userAgent);
        await call(field, 'setUserAgent', () => ses.setUserAgent(ua));
      } else {
        // Without a userAgent field the current one is kept
        // (docs/families.md acceptLanguages).
        const langs = f.acceptLanguages;
        const ua = f.userAgent;
        await call(field, 'setUserAgent', () => ses.setUserAgent(typeof ua === 'string' ? ua : ses.getUserAgent(), langs));
      }
    }

    if (changed('downloadPath')) {
      await call('downloadPath', 'setDownloadPath', () => ses.setDownloadPath(/** @type {string} */ (f.downloadPath)));
    }

    if (changed('preloads') || changed('preloadApi') || removed('preloads')) {
      await this.applyPreloads(f.preloads, f.preloadApi, errors);
    }

    if (changed('spellChecker')) {
      await this.applySpellChecker(f.spellChecker, prev ? prev.fields.spellChecker : undefined, failed.has('spellChecker'), globals, errors);
    }

    if (changed('extensions') || removed('extensions')) {
      await this.applyExtensions(f.extensions, errors);
    }

    if (changed('networkEmulation')) {
      await call('networkEmulation', 'enableNetworkEmulation', () => ses.enableNetworkEmulation(/** @type {Electron.EnableNetworkEmulationOptions} */ (f.networkEmulation)));
    } else if (removed('networkEmulation')) {
      await call('networkEmulation', 'disableNetworkEmulation', () => ses.disableNetworkEmulation());
    }

    if (changed('ntlmDomains')) {
      const domains = /** @type {string} */ (f.ntlmDomains);
      const r = await call('ntlmDomains', 'allowNTLMCredentialsForDomains', () => ses.allowNTLMCredentialsForDomains(domains));
      if (r.ok) globals.ntlmDomains = { partition: this.partition, value: domains };
    }

    if (changed('preconnect')) {
      await call('preconnect', 'preconnect', () => ses.preconnect(/** @type {Electron.PreconnectOptions} */ (f.preconnect)));
    }

    if (prev !== null) {
      for (const field of Object.keys(prev.raw)) {
        if (profile.raw[field] === undefined && RETAINED_ON_REMOVAL.has(field)) this.retained.add(field);
      }
    }
    for (const field of Object.keys(profile.raw)) this.retained.delete(field);
    this.applied = profile;
    this.errors = errors;
    return errors;
  }

  removeSerialListener() {
    if (this.serialListener) {
      this.session.removeListener('select-serial-port', this.serialListener);
      this.serialListener = null;
    }
  }

  /**
   * Session preloads: registerPreloadScript where this Electron has it
   * (35+), else setPreloads (frame scripts only). Registrations are diffed
   * by ID against what this adapter registered before, because registering
   * an existing ID throws. Each script's content is checked against the
   * sha256 sessctl recorded before it is registered: a preload runs with
   * Node.js privileges in every page of the session.
   * @param {unknown} preloads
   * @param {unknown} preloadApi
   * @param {FieldError[]} errors
   */
  async applyPreloads(preloads, preloadApi, errors) {
    const ses = this.session;
    /** @type {Array<{id: string, type: 'frame'|'service-worker', filePath: string}>} */
    const want = [];
    if (preloads !== undefined) {
      if (!Array.isArray(preloads)) {
        errors.push({ field: 'preloads', call: null, message: 'preloads is not an array' });
        return;
      }
      for (const p of preloads) {
        if (!isObject(p) || typeof p.id !== 'string' || typeof p.filePath !== 'string' ||
            (p.type !== 'frame' && p.type !== 'service-worker')) {
          errors.push({ field: 'preloads', call: null, message: `malformed preload entry ${JSON.stringify(p)}` });
          continue;
        }
        if (typeof p.sha256 === 'string' && p.sha256 !== '') {
          const problem = await checkSha256(p.filePath, p.sha256);
          if (problem) {
            errors.push({ field: 'preloads', call: null, message: `preload "${p.id}": ${problem}; it was not registered` });
            continue;
          }
        }
        want.push({ id: p.id, type: p.type, filePath: p.filePath });
      }
    }
    if (typeof ses.registerPreloadScript === 'function') {
      const wanted = new Map(want.map((p) => [p.id, p]));
      /** @type {Set<string>} */
      let live;
      try {
        live = new Set(ses.getPreloadScripts().map((s) => s.id));
      } catch {
        live = new Set(this.preloads.keys());
      }
      for (const [id, had] of [...this.preloads]) {
        const w = wanted.get(id);
        if (w && w.type === had.type && w.filePath === had.filePath && live.has(id)) continue;
        if (live.has(id)) {
          try {
            ses.unregisterPreloadScript(id);
          } catch (e) {
            errors.push({ field: 'preloads', call: 'unregisterPreloadScript', message: errorMessage(e) });
          }
        }
        this.preloads.delete(id);
      }
      for (const p of want) {
        if (this.preloads.has(p.id)) continue;
        try {
          ses.registerPreloadScript({ type: p.type, id: p.id, filePath: p.filePath });
          this.preloads.set(p.id, { type: p.type, filePath: p.filePath });
        } catch (e) {
          errors.push({ field: 'preloads', call: 'registerPreloadScript', message: errorMessage(e) });
        }
      }
      return;
    }
    // Electron < 35: setPreloads replaces the session's whole list.
    if (preloadApi === 'registerPreloadScript' && want.some((p) => p.type === 'service-worker')) {
      errors.push({ field: 'preloads', call: null, message: 'this Electron has no registerPreloadScript (added in Electron 35): service-worker preloads were not registered' });
    }
    try {
      ses.setPreloads(want.filter((p) => p.type === 'frame').map((p) => p.filePath));
      this.usedSetPreloads = true;
      this.preloads = new Map(want.filter((p) => p.type === 'frame').map((p) => [p.id, { type: p.type, filePath: p.filePath }]));
    } catch (e) {
      errors.push({ field: 'preloads', call: 'setPreloads', message: errorMessage(e) });
    }
  }

  /**
   * The spellchecker, member by member in the order docs/families.md gives:
   * languages (an empty list disables spellchecking), enabled, the
   * download URL, then the custom words, diffed against the session's
   * dictionary so that words sessctl no longer lists are removed.
   * @param {unknown} next
   * @param {unknown} prev
   * @param {boolean} retry the field failed last time: make every call.
   * @param {Globals} globals
   * @param {FieldError[]} errors
   */
  async applySpellChecker(next, prev, retry, globals, errors) {
    const ses = this.session;
    if (!isObject(next)) {
      errors.push({ field: 'spellChecker', call: null, message: 'spellChecker is not an object' });
      return;
    }
    const before = isObject(prev) && !retry ? prev : {};
    /** @param {string} k */
    const memberChanged = (k) => next[k] !== undefined && JSON.stringify(next[k]) !== JSON.stringify(before[k]);
    /**
     * @param {string} name
     * @param {() => void} fn
     */
    const run = (name, fn) => {
      try {
        fn();
        return true;
      } catch (e) {
        errors.push({ field: 'spellChecker', call: name, message: errorMessage(e) });
        return false;
      }
    };
    if (memberChanged('languages')) {
      run('setSpellCheckerLanguages', () => ses.setSpellCheckerLanguages(/** @type {string[]} */ (next.languages)));
    }
    if (memberChanged('enabled')) {
      run('setSpellCheckerEnabled', () => ses.setSpellCheckerEnabled(/** @type {boolean} */ (next.enabled)));
    }
    if (memberChanged('dictionaryDownloadURL')) {
      const url = /** @type {string} */ (next.dictionaryDownloadURL);
      if (run('setSpellCheckerDictionaryDownloadURL', () => ses.setSpellCheckerDictionaryDownloadURL(url))) {
        globals.dictionaryDownloadURL = { partition: this.partition, value: url };
      }
    }
    if (next.words !== undefined) {
      if (!Array.isArray(next.words) || !next.words.every((w) => typeof w === 'string')) {
        errors.push({ field: 'spellChecker', call: null, message: 'spellChecker.words is not an array of strings' });
        return;
      }
      /** @type {string[]} */
      let current;
      try {
        current = await ses.listWordsInSpellCheckerDictionary();
      } catch (e) {
        errors.push({ field: 'spellChecker', call: 'listWordsInSpellCheckerDictionary', message: errorMessage(e) });
        return;
      }
      const want = new Set(next.words);
      const have = new Set(current);
      for (const w of current) {
        if (want.has(w)) continue;
        run('removeWordFromSpellCheckerDictionary', () => {
          if (!ses.removeWordFromSpellCheckerDictionary(w)) {
            throw new Error(`removeWordFromSpellCheckerDictionary(${JSON.stringify(w)}) returned false`);
          }
        });
      }
      for (const w of next.words) {
        if (have.has(w)) continue;
        run('addWordToSpellCheckerDictionary', () => {
          // false: in-memory session, invalid or duplicate word, or no
          // spellcheck service (electron_api_session.cc).
          if (!ses.addWordToSpellCheckerDictionary(w)) {
            throw new Error(`addWordToSpellCheckerDictionary(${JSON.stringify(w)}) returned false`);
          }
        });
      }
    }
  }

  /**
   * Extensions, diffed by ID: the ones this adapter loaded and the profile
   * no longer lists are removed; the ones already loaded from the same path
   * with the same version and file access are kept; the others are
   * (re)loaded. Electron does not persist loaded extensions across
   * restarts, so what this adapter loaded is all it has to manage.
   * @param {unknown} next
   * @param {FieldError[]} errors
   */
  async applyExtensions(next, errors) {
    const api = extensionsAPI(this.session);
    /** @type {Array<{name: string, path: string, id: string, version: string, allowFileAccess: boolean}>} */
    const want = [];
    if (next !== undefined) {
      if (!Array.isArray(next)) {
        errors.push({ field: 'extensions', call: null, message: 'extensions is not an array' });
        return;
      }
      for (const e of next) {
        if (!isObject(e) || typeof e.path !== 'string' || typeof e.id !== 'string') {
          errors.push({ field: 'extensions', call: null, message: `malformed extension entry ${JSON.stringify(e)}` });
          continue;
        }
        want.push({
          name: typeof e.name === 'string' ? e.name : '',
          path: e.path,
          id: e.id,
          version: typeof e.version === 'string' ? e.version : '',
          allowFileAccess: e.allowFileAccess === true,
        });
      }
    }
    /** @type {Map<string, Electron.Extension>} */
    let live;
    try {
      live = new Map(api.getAllExtensions().map((x) => [x.id, x]));
    } catch (e) {
      errors.push({ field: 'extensions', call: 'getAllExtensions', message: errorMessage(e) });
      return;
    }
    const wantIDs = new Set(want.map((e) => e.id));
    for (const id of [...this.extensions.keys()]) {
      if (wantIDs.has(id)) continue;
      if (live.has(id)) {
        try {
          api.removeExtension(id);
          live.delete(id);
        } catch (e) {
          errors.push({ field: 'extensions', call: 'removeExtension', message: errorMessage(e) });
          continue;
        }
      }
      this.extensions.delete(id);
    }
    for (const e of want) {
      const had = this.extensions.get(e.id);
      const cur = live.get(e.id);
      if (cur && cur.path === e.path && (e.version === '' || cur.version === e.version) &&
          (!had || had.allowFileAccess === e.allowFileAccess)) {
        this.extensions.set(e.id, { name: e.name, path: e.path, version: cur.version, allowFileAccess: e.allowFileAccess });
        continue;
      }
      if (cur) {
        try {
          api.removeExtension(e.id);
        } catch (err) {
          errors.push({ field: 'extensions', call: 'removeExtension', message: errorMessage(err) });
          continue;
        }
      }
      this.extensions.delete(e.id);
      try {
        const loaded = await api.loadExtension(e.path, { allowFileAccess: e.allowFileAccess });
        this.extensions.set(loaded.id, { name: e.name, path: loaded.path, version: loaded.version, allowFileAccess: e.allowFileAccess });
        if (loaded.id !== e.id) {
          errors.push({ field: 'extensions', call: 'loadExtension', message: `extension "${e.name}" loaded with ID ${loaded.id}, sessctl computed ${e.id} for ${e.path}` });
        } else if (e.version !== '' && loaded.version !== e.version) {
          errors.push({ field: 'extensions', call: 'loadExtension', message: `extension "${e.name}" loaded with version ${loaded.version}, sessctl read ${e.version} from its manifest` });
        }
      } catch (err) {
        errors.push({ field: 'extensions', call: 'loadExtension', message: errorMessage(err) });
      }
    }
  }

  /**
   * Undoes what can be undone when the partition leaves index.json: the
   * handlers and listener, the extensions and preload scripts this adapter
   * added, network emulation. The rest keeps its value (see
   * RETAINED_ON_REMOVAL).
   * @returns {FieldError[]}
   */
  remove() {
    /** @type {FieldError[]} */
    const errors = [];
    const ses = this.session;
    /**
     * @param {string} field
     * @param {string} name
     * @param {() => void} fn
     */
    const run = (field, name, fn) => {
      try {
        fn();
      } catch (e) {
        errors.push({ field, call: name, message: errorMessage(e) });
      }
    };
    if (this.permissionHandlers) {
      run('permissions', 'setPermissionRequestHandler', () => ses.setPermissionRequestHandler(null));
      run('permissions', 'setPermissionCheckHandler', () => ses.setPermissionCheckHandler(null));
      this.permissionHandlers = false;
    }
    if (this.verifyProc) {
      run('certificateRules', 'setCertificateVerifyProc', () => ses.setCertificateVerifyProc(null));
      this.verifyProc = false;
    }
    run('serialRules', 'removeListener', () => this.removeSerialListener());
    if (this.extensions.size > 0) {
      for (const id of this.extensions.keys()) run('extensions', 'removeExtension', () => extensionsAPI(ses).removeExtension(id));
      this.extensions.clear();
    }
    if (this.usedSetPreloads) {
      run('preloads', 'setPreloads', () => ses.setPreloads([]));
    } else {
      for (const id of this.preloads.keys()) run('preloads', 'unregisterPreloadScript', () => ses.unregisterPreloadScript(id));
    }
    this.preloads.clear();
    if (this.applied && this.applied.raw.networkEmulation !== undefined) {
      run('networkEmulation', 'disableNetworkEmulation', () => ses.disableNetworkEmulation());
    }
    if (this.applied && this.applied.raw.sslConfig !== undefined) {
      run('sslConfig', 'setSSLConfig', () => ses.setSSLConfig({}));
    }
    return errors;
  }

  /**
   * The extensions this adapter loaded that Electron reports as loaded.
   * @returns {LoadedExtension[]}
   */
  loadedExtensions() {
    if (this.extensions.size === 0) return [];
    /** @type {Map<string, Electron.Extension>} */
    let live;
    try {
      live = new Map(extensionsAPI(this.session).getAllExtensions().map((x) => [x.id, x]));
    } catch {
      return [];
    }
    /** @type {LoadedExtension[]} */
    const out = [];
    for (const [id, e] of this.extensions) {
      const x = live.get(id);
      if (x) out.push({ name: e.name, id, version: x.version, path: x.path });
    }
    return out;
  }
}

/**
 * `ses.extensions` where this Electron has it (36+), else the deprecated
 * methods on the session itself.
 * @param {SessionLike} ses
 * @returns {import('./types').ExtensionsLike}
 */
function extensionsAPI(ses) {
  if (ses.extensions) return ses.extensions;
  const legacy = /** @type {Partial<import('./types').ExtensionsLike>} */ (/** @type {unknown} */ (ses));
  if (typeof legacy.loadExtension === 'function' && typeof legacy.removeExtension === 'function' &&
      typeof legacy.getAllExtensions === 'function') {
    return /** @type {import('./types').ExtensionsLike} */ (legacy);
  }
  throw new Error('this session has no extensions API (ses.extensions or ses.loadExtension)');
}

/**
 * @param {string} filePath
 * @param {string} want lowercase or uppercase hex.
 * @returns {Promise<string|null>} why the file does not match, null when it does.
 */
async function checkSha256(filePath, want) {
  let data;
  try {
    data = await fs.promises.readFile(filePath);
  } catch (e) {
    return `cannot read ${filePath}: ${errorMessage(e)}`;
  }
  const got = crypto.createHash('sha256').update(data).digest('hex');
  if (got !== want.toLowerCase()) {
    return `${filePath} does not match its sha256 (sessctl checked ${want.toLowerCase()}, the file now has ${got})`;
  }
  return null;
}

/**
 * @param {unknown} t
 * @returns {string|null} why the table cannot be evaluated.
 */
function checkPermissionTable(t) {
  if (!isObject(t)) return 'permissions is not an object';
  if (t.formatVersion !== decide.PERMISSIONS_FORMAT) {
    return `permissions table has formatVersion ${JSON.stringify(t.formatVersion)}; this adapter knows ${decide.PERMISSIONS_FORMAT}: update @sessctl/electron`;
  }
  if (t.default !== 'allow' && t.default !== 'deny') return 'permissions.default is not "allow" or "deny"';
  if (!Array.isArray(t.rules)) return 'permissions.rules is not an array';
  for (const [i, r] of t.rules.entries()) {
    const where = `permissions.rules[${i}]`;
    if (!isObject(r)) return `${where} is not an object`;
    if (typeof r.name !== 'string' || (r.decision !== 'allow' && r.decision !== 'deny')) return `${where} needs a name and a decision "allow" or "deny"`;
    if (!isStringArray(r.handlers)) return `${where}.handlers is not an array of strings`;
    for (const k of ['permissions', 'mediaTypes']) {
      if (r[k] !== null && !isStringArray(r[k])) return `${where}.${k} is not null or an array of strings`;
    }
    if (r.origins !== null) {
      if (!Array.isArray(r.origins)) return `${where}.origins is not null or an array`;
      for (const o of r.origins) {
        if (!isObject(o) || typeof o.scheme !== 'string' || typeof o.host !== 'string' ||
            typeof o.subdomains !== 'boolean' || typeof o.port !== 'string' ||
            (o.path !== undefined && typeof o.path !== 'string')) {
          return `${where}.origins has a malformed origin ${JSON.stringify(o)}`;
        }
      }
    }
    if (r.externalUrls !== null) {
      if (!Array.isArray(r.externalUrls)) return `${where}.externalUrls is not null or an array`;
      for (const e of r.externalUrls) {
        if (!isObject(e) || typeof e.scheme !== 'string' ||
            (e.host !== undefined && typeof e.host !== 'string') ||
            (e.port !== undefined && typeof e.port !== 'string') ||
            (e.path !== undefined && typeof e.path !== 'string')) {
          return `${where}.externalUrls has a malformed URL pattern ${JSON.stringify(e)}`;
        }
      }
    }
    if (typeof r.mainFrameOnly !== 'boolean') return `${where}.mainFrameOnly is not a boolean`;
  }
  return null;
}

/**
 * @param {unknown} t
 * @returns {string|null}
 */
function checkCertificateTable(t) {
  if (!isObject(t)) return 'certificateRules is not an object';
  if (t.formatVersion !== decide.CERTIFICATES_FORMAT) {
    return `certificateRules table has formatVersion ${JSON.stringify(t.formatVersion)}; this adapter knows ${decide.CERTIFICATES_FORMAT}: update @sessctl/electron`;
  }
  if (!Number.isInteger(t.defaultCode)) return 'certificateRules.defaultCode is not an integer';
  if (!Array.isArray(t.rules)) return 'certificateRules.rules is not an array';
  for (const [i, r] of t.rules.entries()) {
    if (!isObject(r) || typeof r.host !== 'string' || typeof r.pattern !== 'string' || !Number.isInteger(r.code) ||
        !['any', 'exact', 'domain', 'subdomains'].includes(/** @type {string} */ (r.match))) {
      return `certificateRules.rules[${i}] is malformed: ${JSON.stringify(r)}`;
    }
  }
  return null;
}

/**
 * @param {unknown} t
 * @returns {string|null}
 */
function checkSerialTable(t) {
  if (!isObject(t)) return 'serialRules is not an object';
  if (t.formatVersion !== decide.SERIAL_FORMAT) {
    return `serialRules table has formatVersion ${JSON.stringify(t.formatVersion)}; this adapter knows ${decide.SERIAL_FORMAT}: update @sessctl/electron`;
  }
  if (!Array.isArray(t.rules)) return 'serialRules.rules is not an array';
  for (const [i, r] of t.rules.entries()) {
    if (!isObject(r) || Object.values(r).some((v) => typeof v !== 'string')) {
      return `serialRules.rules[${i}] is malformed: ${JSON.stringify(r)}`;
    }
  }
  return null;
}

/**
 * @param {unknown} v
 * @returns {v is string[]}
 */
function isStringArray(v) {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

module.exports = {
  FIELD_ORDER,
  PartitionApplier,
  checkPermissionTable,
  checkCertificateTable,
  checkSerialTable,
};
