// @ts-check
'use strict';

// maintenance: one-shot actions as generation numbers (docs/actions.md).
// The field maps an Electron method to the generation the configuration
// asks for; the adapter runs the method when the generation is above the
// one its journal recorded, records "running" before the call and "done"
// or "failed" after it, and never runs a generation twice: not on a
// re-apply, a resync or an app restart. A failed or interrupted action
// runs again only when the generation is raised.
//
// Order: in the connect phase, so after every setting the actions depend
// on (force_reload_proxy_config re-reads the PAC script or system proxy
// that the proxy entry set; close_all_connections and the cache clears see
// the new proxy and TLS settings), and before preconnect, whose sockets
// close_all_connections would drop.

const { defineField } = require('../table');

const { MAINTENANCE_ACTIONS } = require('../actions');

const OPTIONS_KEY = 'clearStorageDataOptions';

/**
 * @param {unknown} value
 * @returns {string|null}
 */
function validate(value) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'maintenance must be an object';
  const known = new Set([...MAINTENANCE_ACTIONS.map((a) => a.method), OPTIONS_KEY]);
  for (const [k, v] of Object.entries(value)) {
    if (!known.has(k)) return `maintenance.${k} is not an action this adapter knows (written by a newer sessctl?)`;
    if (k === OPTIONS_KEY) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return `maintenance.${OPTIONS_KEY} must be an object`;
      const o = /** @type {Record<string, unknown>} */ (v);
      for (const [ok, ov] of Object.entries(o)) {
        if (ok === 'origin' ? typeof ov !== 'string' : !(ok === 'storages' || ok === 'quotas') || !Array.isArray(ov) || !ov.every((s) => typeof s === 'string')) {
          return `maintenance.${OPTIONS_KEY}.${ok} is malformed`;
        }
      }
      continue;
    }
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return `maintenance.${k} must be a generation number (a whole number, 0 or more)`;
  }
  return null;
}

module.exports = defineField({
  field: 'maintenance',
  phase: 'connect',
  after: ['proxy'],
  // Nothing to undo, and nothing retained: an action that ran stays done,
  // and a block that leaves the profile asks for nothing.
  async reset() {},
  validate,
  async apply(ctx) {
    const m = /** @type {Record<string, unknown>} */ (ctx.fields.maintenance);
    const journal = ctx.journal;
    journal.retry();
    for (const a of MAINTENANCE_ACTIONS) {
      const want = m[a.method];
      if (typeof want !== 'number' || want <= journal.generation(a.method)) continue;
      try {
        await journal.record(ctx.partition, a.method, { generation: want, state: 'running', error: null, at: new Date().toISOString() });
      } catch (e) {
        // Without a record, running it could run it twice: it waits.
        ctx.refuse('maintenance', `${a.method} generation ${want} not run: its journal cannot be written: ${e instanceof Error ? e.message : String(e)}`);
        continue;
      }
      const errorsBefore = ctx.errors.length;
      const r = await ctx.call('maintenance', a.method, () => a.run(ctx.session, m[OPTIONS_KEY]));
      const error = r.ok ? null : ctx.errors[errorsBefore].message;
      try {
        await journal.record(ctx.partition, a.method, { generation: want, state: r.ok ? 'done' : 'failed', error, at: new Date().toISOString() });
      } catch (e) {
        ctx.refuse('maintenance', `${a.method} generation ${want} ran, but its journal cannot be written: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  },
});
