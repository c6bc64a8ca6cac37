// @ts-check
'use strict';

// The field table: one entry per profile field (lib/fields/<field>.js,
// registered in lib/fields/index.js), saying which Electron calls the field
// makes, how its value is checked first, what happens when it leaves the
// profile or its partition leaves index.json, what Electron reports back for
// the status file, and what it must be applied after. apply.js only walks
// the table; buildTable checks the table and computes its order when the
// module loads, so that a bad entry fails every test rather than an app.

/** @typedef {import('./types').SessionLike} SessionLike */
/** @typedef {import('./types').FieldError} FieldError */

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
 * @template T
 * @typedef {{ok: true, value: Awaited<T>} | {ok: false}} CallResult
 */

/**
 * What an entry's hooks get while a profile is applied.
 * @typedef {object} ApplyContext
 * @property {string} partition
 * @property {SessionLike} session
 * @property {Record<string, unknown>} fields the provider fields of the profile being applied.
 * @property {(field: string) => unknown} previous a field's value in the revision applied before (undefined on the first apply).
 * @property {(field: string) => boolean} changed whether a field is present and differs from the revision applied before, or failed then.
 * @property {(field: string) => boolean} failedBefore whether a field had an error in the last apply.
 * @property {Globals} globals
 * @property {FieldError[]} errors this apply's errors, in apply order.
 * @property {<T>(field: string, call: string, fn: () => T) => Promise<CallResult<T>>} call runs one Electron call, recording what it throws or rejects with.
 * @property {(field: string, message: string) => void} refuse records a value the adapter does not pass to Electron (call: null).
 * @property {import('./types').DesktopCapturerLike|null} desktopCapturer Electron's desktopCapturer module when the app passed it (Adapter option `desktopCapturer`), for the displayMedia handler.
 * @property {InstanceType<typeof import('./journal').MaintenanceJournal>} journal the partition's record of the one-shot actions it ran (maintenance).
 * @property {(event: import('./events').EventName, details: Record<string, unknown>) => void} note records a session event in the partition's event log (lib/events.js), for handlers that know more than the event's arguments (which rule chose a serial port). Stays valid after the apply.
 */

/**
 * What an entry's detach hook gets when its partition leaves index.json.
 * Synchronous: the adapter undoes a removed partition in one go.
 * @typedef {object} DetachContext
 * @property {SessionLike} session
 * @property {(field: string) => boolean} had whether the last applied profile had the field.
 * @property {(field: string, call: string, fn: () => void) => void} run runs one Electron call, recording what it throws.
 */

/**
 * What Electron reports back for the status file.
 * @template S, R
 * @typedef {object} ReadBack
 * @property {R} none the members when the adapter never got the session (a first profile that was refused).
 * @property {(session: SessionLike, state: S) => R} read the members after an apply; never throws (a getter that throws gives null).
 */

/**
 * Where an entry sits in the apply order: every `policy` entry before every
 * `configure` entry, every `configure` entry before every `connect` entry.
 * @typedef {'policy'|'configure'|'connect'} Phase
 */

/**
 * One profile field. An entry either applies its field (`apply`) or is a
 * companion whose value another entry's calls carry (`appliedBy`, e.g.
 * `acceptLanguages` is setUserAgent's second argument).
 * @template [S=undefined] the entry's own state per session (e.g. the handlers it installed), from `state()`.
 * @template [R={}] the status members `readBack` fills.
 * @typedef {object} FieldEntry
 * @property {string} field the profile key.
 * @property {Phase} [phase] default `configure`.
 * @property {string[]} [after] fields whose calls must come before this entry's.
 * @property {string} [appliedBy] companion: the entry that applies this field with its own; it runs when either field changed.
 * @property {boolean} [retained] Electron cannot put the value back when the field leaves the profile: it stays, and the status lists the field under `retained`.
 * @property {() => S} [state]
 * @property {(value: unknown) => string|null} [validate] why a present value cannot be passed to Electron, or null. Checked, for the entry and its companions, before `apply` runs: a value that fails makes no call.
 * @property {(ctx: ApplyContext, state: S, problem: string, field: string) => Promise<void>} [invalid] what to do instead when `validate` failed for `field`; default: refuse it.
 * @property {(ctx: ApplyContext, state: S) => Promise<void>} [apply] the calls when the field (or a companion) is new, changed, or failed last time.
 * @property {(ctx: ApplyContext, state: S) => Promise<void>} [reset] the calls when the field leaves the profile.
 * @property {{after?: string[], run: (ctx: DetachContext, state: S) => void}} [detach] the calls when the partition leaves index.json, and the entries whose detach comes first.
 * @property {ReadBack<S, R>} [readBack]
 */

/** @typedef {FieldEntry<any, any>} AnyEntry */

/**
 * Identity: gives an entry module its types (S and R inferred).
 * @template [S=undefined]
 * @template [R={}]
 * @param {FieldEntry<S, R>} entry
 * @returns {FieldEntry<S, R>}
 */
function defineField(entry) {
  return entry;
}

/**
 * The status members an entry's readBack fills.
 * @template E
 * @typedef {E extends FieldEntry<any, infer R> ? R : never} ReadBackOf
 */

/**
 * @template U
 * @typedef {(U extends unknown ? (x: U) => void : never) extends ((x: infer I) => void) ? I : never} UnionToIntersection
 */

/**
 * The status members a list of entries fills, as one object type.
 * @template E
 * @typedef {UnionToIntersection<ReadBackOf<E>>} ReadBackStatus
 */

/** @type {ReadonlyArray<Phase>} */
const PHASES = ['policy', 'configure', 'connect'];

/**
 * Orders items so that each comes after the ones it names; among the items
 * free to go next, the first in the list goes. A list that already
 * satisfies the constraints is returned as is.
 * @template T
 * @param {ReadonlyArray<T>} items
 * @param {(item: T) => string} nameOf
 * @param {(item: T) => ReadonlyArray<string>} before names that must come before the item.
 * @param {string} what for messages, e.g. "apply order".
 * @returns {T[]}
 */
function stableTopoSort(items, nameOf, before, what) {
  const index = new Map(items.map((x, i) => [nameOf(x), i]));
  /** @type {Set<number>[]} */
  const waitsFor = items.map(() => new Set());
  for (const [i, x] of items.entries()) {
    for (const n of before(x)) {
      const j = index.get(n);
      if (j === undefined) throw new Error(`field table: ${nameOf(x)} must come after ${JSON.stringify(n)} in the ${what}, which is not in it`);
      if (j === i) throw new Error(`field table: ${nameOf(x)} must come after itself in the ${what}`);
      waitsFor[i].add(j);
    }
  }
  /** @type {T[]} */
  const out = [];
  const done = new Set();
  while (out.length < items.length) {
    const next = items.findIndex((_, i) => !done.has(i) && [...waitsFor[i]].every((j) => done.has(j)));
    if (next < 0) {
      const left = items.map((x, i) => (done.has(i) ? null : nameOf(x))).filter((n) => n !== null);
      throw new Error(`field table: the ${what} constraints form a cycle among ${left.join(', ')}`);
    }
    done.add(next);
    out.push(items[next]);
  }
  return out;
}

/**
 * @typedef {object} Table
 * @property {AnyEntry[]} order every entry, in apply order.
 * @property {AnyEntry[]} detachOrder the entries with a detach hook, in the order they run.
 * @property {Map<string, AnyEntry>} byField
 * @property {Map<string, AnyEntry[]>} companions an applying entry's companions, in apply order.
 * @property {string[]} readBackMembers the status members the entries fill.
 */

/**
 * Checks a list of entries and computes its orders. Throws on a duplicate
 * field, an unknown or cyclic constraint, a companion of nothing, an entry
 * without calls or without a removal rule, or two entries filling the same
 * status member.
 * @param {ReadonlyArray<AnyEntry>} entries in registration order, the tie-break of the apply order.
 * @returns {Table}
 */
function buildTable(entries) {
  /** @type {Map<string, AnyEntry>} */
  const byField = new Map();
  for (const e of entries) {
    if (typeof e.field !== 'string' || e.field === '') throw new Error('field table: an entry has no field name');
    if (byField.has(e.field)) throw new Error(`field table: two entries for ${e.field}`);
    byField.set(e.field, e);
  }
  for (const e of entries) {
    const phase = e.phase || 'configure';
    if (!PHASES.includes(phase)) throw new Error(`field table: ${e.field} has an unknown phase ${JSON.stringify(phase)}`);
    if (e.appliedBy !== undefined) {
      const owner = byField.get(e.appliedBy);
      if (!owner || owner.appliedBy !== undefined || !owner.apply) {
        throw new Error(`field table: ${e.field} is applied by ${JSON.stringify(e.appliedBy)}, which is not an entry that applies its field`);
      }
      if (e.apply || e.reset || e.invalid || e.detach || e.state) {
        throw new Error(`field table: ${e.field} is applied by ${e.appliedBy} and cannot have calls or state of its own`);
      }
      continue;
    }
    if (!e.apply) throw new Error(`field table: ${e.field} has no apply and no appliedBy`);
    if (Boolean(e.reset) === Boolean(e.retained)) {
      throw new Error(`field table: ${e.field} must say what happens when it leaves the profile: a reset, or retained: true (not both)`);
    }
  }
  const order = stableTopoSort(entries, (e) => e.field, (e) => {
    const rank = PHASES.indexOf(e.phase || 'configure');
    const earlier = entries.filter((x) => PHASES.indexOf(x.phase || 'configure') < rank).map((x) => x.field);
    return [...earlier, ...(e.after || [])];
  }, 'apply order');
  const detachOrder = stableTopoSort(order.filter((e) => e.detach), (e) => e.field,
    (e) => (e.detach && e.detach.after) || [], 'detach order');
  /** @type {Map<string, AnyEntry[]>} */
  const companions = new Map();
  for (const e of order) {
    if (e.appliedBy === undefined) continue;
    const list = companions.get(e.appliedBy) || [];
    list.push(e);
    companions.set(e.appliedBy, list);
  }
  /** @type {string[]} */
  const readBackMembers = [];
  for (const e of order) {
    if (!e.readBack) continue;
    for (const m of Object.keys(e.readBack.none)) {
      if (readBackMembers.includes(m)) throw new Error(`field table: two entries fill the status member ${m}`);
      readBackMembers.push(m);
    }
  }
  return { order, detachOrder, byField, companions, readBackMembers };
}

module.exports = { defineField, buildTable, stableTopoSort, PHASES };
