// @ts-check
'use strict';

// extensions, diffed by ID: the ones this adapter loaded and the profile no
// longer lists are removed; the ones already loaded from the same path with
// the same version and file access are kept; the others are (re)loaded.
// Electron does not persist loaded extensions across restarts, so what this
// adapter loaded is all it has to manage; the app's own stay.

const { errorMessage, isObject } = require('../profile');
const { defineField } = require('../table');

/** @typedef {import('../table').ApplyContext} ApplyContext */
/** @typedef {import('../types').SessionLike} SessionLike */
/** @typedef {import('../types').LoadedExtension} LoadedExtension */

/**
 * @typedef {object} State
 * @property {Map<string, {name: string, path: string, version: string, allowFileAccess: boolean}>} loaded extensions this adapter loaded, by ID.
 */

module.exports = defineField({
  field: 'extensions',
  // A background page runs, and may make requests, as soon as its
  // extension is loaded: the partition's network settings come first.
  after: ['proxy', 'sslConfig', 'userAgent'],
  /** @returns {State} */
  state: () => ({ loaded: new Map() }),
  validate: (v) => (Array.isArray(v) ? null : 'extensions is not an array'),
  async apply(ctx, state) {
    await diff(ctx, state);
  },
  async reset(ctx, state) {
    await diff(ctx, state);
  },
  detach: {
    run(ctx, state) {
      if (state.loaded.size === 0) return;
      for (const id of state.loaded.keys()) ctx.run('extensions', 'removeExtension', () => extensionsAPI(ctx.session).removeExtension(id));
      state.loaded.clear();
    },
  },
  readBack: {
    none: { extensions: /** @type {LoadedExtension[]} */ ([]) },
    read: (ses, state) => ({ extensions: loadedExtensions(ses, state) }),
  },
});

/**
 * Brings the session's extensions in line with the profile's `extensions`
 * (absent: none of the adapter's).
 * @param {ApplyContext} ctx
 * @param {State} state
 */
async function diff(ctx, state) {
  const errors = ctx.errors;
  const next = ctx.fields.extensions;
  const api = extensionsAPI(ctx.session);
  /** @type {Array<{name: string, path: string, id: string, version: string, allowFileAccess: boolean}>} */
  const want = [];
  if (Array.isArray(next)) {
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
  for (const id of [...state.loaded.keys()]) {
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
    state.loaded.delete(id);
  }
  for (const e of want) {
    const had = state.loaded.get(e.id);
    const cur = live.get(e.id);
    if (cur && cur.path === e.path && (e.version === '' || cur.version === e.version) &&
        (!had || had.allowFileAccess === e.allowFileAccess)) {
      state.loaded.set(e.id, { name: e.name, path: e.path, version: cur.version, allowFileAccess: e.allowFileAccess });
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
    state.loaded.delete(e.id);
    try {
      const loaded = await api.loadExtension(e.path, { allowFileAccess: e.allowFileAccess });
      state.loaded.set(loaded.id, { name: e.name, path: loaded.path, version: loaded.version, allowFileAccess: e.allowFileAccess });
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
 * The extensions this adapter loaded that Electron reports as loaded.
 * @param {SessionLike} ses
 * @param {State} state
 * @returns {LoadedExtension[]}
 */
function loadedExtensions(ses, state) {
  if (state.loaded.size === 0) return [];
  /** @type {Map<string, Electron.Extension>} */
  let live;
  try {
    live = new Map(extensionsAPI(ses).getAllExtensions().map((x) => [x.id, x]));
  } catch {
    return [];
  }
  /** @type {LoadedExtension[]} */
  const out = [];
  for (const [id, e] of state.loaded) {
    const x = live.get(id);
    if (x) out.push({ name: e.name, id, version: x.version, path: x.path });
  }
  return out;
}

/**
 * `ses.extensions` where this Electron has it (36+), else the deprecated
 * methods on the session itself.
 * @param {SessionLike} ses
 * @returns {import('../types').ExtensionsLike}
 */
function extensionsAPI(ses) {
  if (ses.extensions) return ses.extensions;
  const legacy = /** @type {Partial<import('../types').ExtensionsLike>} */ (/** @type {unknown} */ (ses));
  if (typeof legacy.loadExtension === 'function' && typeof legacy.removeExtension === 'function' &&
      typeof legacy.getAllExtensions === 'function') {
    return /** @type {import('../types').ExtensionsLike} */ (legacy);
  }
  throw new Error('this session has no extensions API (ses.extensions or ses.loadExtension)');
}
