// @ts-check
'use strict';

// preloads (with its companion preloadApi): session preload scripts,
// registerPreloadScript where this Electron has it (35+), else setPreloads
// (frame scripts only). Registrations are diffed by ID against what this
// adapter registered before, because registering an existing ID throws.
// Each script's content is checked against the sha256 sessctl recorded
// before it is registered: a preload runs with Node.js privileges in every
// page of the session.

const crypto = require('node:crypto');
const fs = require('node:fs');

const { errorMessage, isObject } = require('../profile');
const { defineField } = require('../table');

/** @typedef {import('../table').ApplyContext} ApplyContext */

/**
 * @typedef {object} State
 * @property {Map<string, {type: 'frame'|'service-worker', filePath: string}>} scripts preload scripts this adapter registered, by ID.
 * @property {boolean} usedSetPreloads whether they were set with setPreloads (older Electron).
 */

module.exports = defineField({
  field: 'preloads',
  /** @returns {State} */
  state: () => ({ scripts: new Map(), usedSetPreloads: false }),
  validate: (v) => (Array.isArray(v) ? null : 'preloads is not an array'),
  async apply(ctx, state) {
    await diff(ctx, state);
  },
  // The adapter's scripts go; the app's own registrations stay.
  async reset(ctx, state) {
    await diff(ctx, state);
  },
  detach: {
    // The order of the adapter before the table: extensions are removed
    // first. No Electron call depends on it.
    after: ['extensions'],
    run(ctx, state) {
      const ses = ctx.session;
      if (state.usedSetPreloads) {
        ctx.run('preloads', 'setPreloads', () => ses.setPreloads([]));
      } else {
        for (const id of state.scripts.keys()) ctx.run('preloads', 'unregisterPreloadScript', () => ses.unregisterPreloadScript(id));
      }
      state.scripts.clear();
    },
  },
  readBack: {
    none: { preloads: /** @type {string[]} */ ([]) },
    read: (_ses, state) => ({ preloads: [...state.scripts.keys()] }),
  },
});

/**
 * Brings the session's preload scripts in line with the profile's
 * `preloads` (absent: none) and `preloadApi`.
 * @param {ApplyContext} ctx
 * @param {State} state
 */
async function diff(ctx, state) {
  const ses = ctx.session;
  const errors = ctx.errors;
  const preloads = ctx.fields.preloads;
  const preloadApi = ctx.fields.preloadApi;
  /** @type {Array<{id: string, type: 'frame'|'service-worker', filePath: string}>} */
  const want = [];
  if (Array.isArray(preloads)) {
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
      live = new Set(state.scripts.keys());
    }
    for (const [id, had] of [...state.scripts]) {
      const w = wanted.get(id);
      if (w && w.type === had.type && w.filePath === had.filePath && live.has(id)) continue;
      if (live.has(id)) {
        try {
          ses.unregisterPreloadScript(id);
        } catch (e) {
          errors.push({ field: 'preloads', call: 'unregisterPreloadScript', message: errorMessage(e) });
        }
      }
      state.scripts.delete(id);
    }
    for (const p of want) {
      if (state.scripts.has(p.id)) continue;
      try {
        ses.registerPreloadScript({ type: p.type, id: p.id, filePath: p.filePath });
        state.scripts.set(p.id, { type: p.type, filePath: p.filePath });
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
    state.usedSetPreloads = true;
    state.scripts = new Map(want.filter((p) => p.type === 'frame').map((p) => [p.id, { type: p.type, filePath: p.filePath }]));
  } catch (e) {
    errors.push({ field: 'preloads', call: 'setPreloads', message: errorMessage(e) });
  }
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
