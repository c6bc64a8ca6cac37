// @ts-check
'use strict';

// cookies: one ses.cookies.set(details) per `cookie "NAME"` block
// (docs/cookies.md). sessctl owns only the cookies it set: when a block
// goes away (or its url or name changes) the adapter calls
// ses.cookies.remove(url, name) for that cookie, and never for one it did
// not set. After each set, ses.cookies.get({url, name}) reads the cookie
// back; a missing cookie or another value is reported as an error of the
// field, by SHA-256 prefix only: a value may be sensitive, and no message,
// status or log line carries a value.
//
// A value is a string, or {"$sensitive": "<value>"} when it came from a
// variable declared sensitive = true (the profile file is then 0600).
//
// What the adapter set is recorded (url and name, never a value) in
// <statusDir>/cookies/<profile file name>, beside the maintenance journal,
// so that a block removed while the app was not running still has its
// cookie removed at the next start. Without a status directory the record
// lives in the process only.

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { defineField } = require('../table');
const { writeJSONAtomic } = require('../journal');

/**
 * One cookie of the field: the details of ses.cookies.set, with a value
 * that may be in its sensitive form.
 * @typedef {Omit<Electron.CookiesSetDetails, 'value'> & {name: string, value: string | {$sensitive: string}}} ProfileCookie
 */

/**
 * A cookie sessctl set: what ses.cookies.remove needs.
 * @typedef {{url: string, name: string}} Owned
 */

/**
 * @param {unknown} v
 * @returns {v is Record<string, unknown>}
 */
function isObject(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The value to pass to Electron, or null when it has neither form.
 * @param {unknown} v
 * @returns {string|null}
 */
function plainValue(v) {
  if (typeof v === 'string') return v;
  if (isObject(v) && Object.keys(v).length === 1 && typeof v.$sensitive === 'string') return v.$sensitive;
  return null;
}

/**
 * The short digest that stands for a value in messages.
 * @param {string} v
 */
function digest(v) {
  return 'sha256:' + crypto.createHash('sha256').update(v, 'utf8').digest('hex').slice(0, 16);
}

const KEYS = new Set(['url', 'name', 'value', 'domain', 'path', 'secure', 'httpOnly', 'sameSite', 'expirationDate']);
const SAME_SITE = new Set(['unspecified', 'no_restriction', 'lax', 'strict']);

/**
 * Why the field cannot be passed to Electron, or null. Never quotes a
 * value.
 * @param {unknown} value
 * @returns {string|null}
 */
function validate(value) {
  if (!isObject(value)) return 'cookies must be an object of cookies by name';
  for (const [label, c] of Object.entries(value)) {
    const where = `cookie ${JSON.stringify(label)}`;
    if (!isObject(c)) return `${where} must be an object`;
    for (const k of Object.keys(c)) if (!KEYS.has(k)) return `${where}: unknown member ${JSON.stringify(k)}`;
    if (typeof c.url !== 'string' || c.url === '') return `${where}: url must be a non-empty string`;
    if (typeof c.name !== 'string' || c.name !== label) return `${where}: name must be the cookie's name`;
    if (plainValue(c.value) === null) return `${where}: value must be a string or {"$sensitive": string}`;
    for (const k of ['domain', 'path']) if (c[k] !== undefined && typeof c[k] !== 'string') return `${where}: ${k} must be a string`;
    for (const k of ['secure', 'httpOnly']) if (c[k] !== undefined && typeof c[k] !== 'boolean') return `${where}: ${k} must be a boolean`;
    if (c.sameSite !== undefined && !SAME_SITE.has(/** @type {string} */ (c.sameSite))) return `${where}: sameSite must be unspecified, no_restriction, lax or strict`;
    if (c.expirationDate !== undefined && (typeof c.expirationDate !== 'number' || !Number.isFinite(c.expirationDate))) return `${where}: expirationDate must be a number of seconds`;
  }
  return null;
}

/**
 * The cookies of a field value, by name ({} when absent or invalid).
 * @param {unknown} v
 * @returns {Record<string, ProfileCookie>}
 */
function cookiesOf(v) {
  return v !== undefined && validate(v) === null ? /** @type {Record<string, ProfileCookie>} */ (v) : {};
}

/**
 * Where the record of owned cookies lives: beside the partition's
 * maintenance journal (<statusDir>/maintenance/<file>), or null.
 * @param {import('../table').ApplyContext} ctx
 */
function recordPath(ctx) {
  const j = ctx.journal.file;
  return j ? path.join(path.dirname(path.dirname(j)), 'cookies', path.basename(j)) : null;
}

/**
 * Loads the record once per session state. An unreadable record is
 * ignored: the adapter then removes nothing it cannot prove it set.
 * @param {import('../table').ApplyContext} ctx
 * @param {{owned: Map<string, Owned>, loaded: boolean}} state
 */
function load(ctx, state) {
  if (state.loaded) return;
  state.loaded = true;
  const file = recordPath(ctx);
  if (!file) return;
  try {
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (!isObject(doc) || doc.format_version !== 1 || !isObject(doc.cookies)) return;
    for (const [label, o] of Object.entries(doc.cookies)) {
      if (isObject(o) && typeof o.url === 'string' && typeof o.name === 'string' && !state.owned.has(label)) {
        state.owned.set(label, { url: o.url, name: o.name });
      }
    }
  } catch {
    // Missing or damaged: nothing is known to be sessctl's.
  }
}

/**
 * Writes the record (best effort: a failure is a field error).
 * @param {import('../table').ApplyContext} ctx
 * @param {Map<string, Owned>} owned
 */
async function save(ctx, owned) {
  const file = recordPath(ctx);
  if (!file) return;
  /** @type {Record<string, Owned>} */
  const cookies = {};
  for (const [label, o] of owned) cookies[label] = o;
  try {
    await writeJSONAtomic(file, { format_version: 1, cookies });
  } catch (e) {
    ctx.refuse('cookies', `cannot record the cookies sessctl set in ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Removes the owned cookies that `keep` does not set again with the same
 * url and name.
 * @param {import('../table').ApplyContext} ctx
 * @param {Map<string, Owned>} owned
 * @param {Record<string, ProfileCookie>} keep
 */
async function removeStale(ctx, owned, keep) {
  for (const [label, o] of [...owned]) {
    const k = keep[label];
    if (k !== undefined && k.url === o.url && k.name === o.name) continue;
    const r = await ctx.call('cookies', 'cookies.remove', () => ctx.session.cookies.remove(o.url, o.name));
    if (r.ok) owned.delete(label);
  }
}

module.exports = defineField({
  field: 'cookies',
  // After maintenance: a clearStorageData of cookies would delete them.
  phase: 'connect',
  after: ['maintenance'],
  // The cookies the adapter set in this session, by block name.
  state: () => ({ owned: /** @type {Map<string, Owned>} */ (new Map()), loaded: false }),
  validate,
  async apply(ctx, state) {
    // Only a cookies.set that resolved makes a cookie sessctl's: a
    // declared cookie Electron refused may be one the site set itself.
    load(ctx, state);
    const want = cookiesOf(ctx.fields.cookies);
    await removeStale(ctx, state.owned, want);
    for (const [label, c] of Object.entries(want)) {
      const value = /** @type {string} */ (plainValue(c.value));
      /** @type {Electron.CookiesSetDetails} */
      const details = { ...c, value };
      const set = await ctx.call('cookies', 'cookies.set', () => ctx.session.cookies.set(details));
      if (!set.ok) continue;
      state.owned.set(label, { url: c.url, name: c.name });
      const got = await ctx.call('cookies', 'cookies.get', () => ctx.session.cookies.get({ url: c.url, name: c.name }));
      if (!got.ok) continue;
      const found = got.value.filter((x) => x.name === c.name);
      if (found.length === 0) {
        ctx.refuse('cookies', `cookie ${JSON.stringify(label)}: not found by cookies.get after cookies.set (expired, or refused by the cookie store)`);
      } else if (!found.some((x) => x.value === value)) {
        ctx.refuse('cookies', `cookie ${JSON.stringify(label)}: cookies.get reads back another value (${found.map((x) => digest(x.value)).join(', ')} instead of ${digest(value)})`);
      }
    }
    await save(ctx, state.owned);
  },
  async reset(ctx, state) {
    load(ctx, state);
    await removeStale(ctx, state.owned, {});
    await save(ctx, state.owned);
  },
  detach: {
    after: ['preloads'],
    run(ctx, state) {
      // The partition leaves sessctl: the cookies sessctl set go with it.
      for (const o of state.owned.values()) {
        ctx.run('cookies', 'cookies.remove', () => {
          ctx.session.cookies.remove(o.url, o.name).catch(() => {});
        });
      }
      state.owned.clear();
    },
  },
});
