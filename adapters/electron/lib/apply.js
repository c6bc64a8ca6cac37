// @ts-check
'use strict';

// Applying one partition's profile to its Electron session. Each profile
// field is the argument of the Electron call(s) it feeds (docs/families.md
// "Profile fields"); the field table (lib/table.js, entries in lib/fields/)
// says which calls, in which order. This file walks the table and decides
// which entries a new revision needs: a field whose compact JSON is the same
// as in the revision applied before (and that did not fail then) is not
// touched again, so an update that changes the user agent does not reload
// extensions or drop pooled connections.

const { errorMessage } = require('./profile');
const { TABLE } = require('./fields');
const { MaintenanceJournal } = require('./journal');
const { EventLog } = require('./events');

/** @typedef {import('./types').SessionLike} SessionLike */
/** @typedef {import('./types').FieldError} FieldError */
/** @typedef {import('./profile').Profile} Profile */
/** @typedef {import('./table').Globals} Globals */
/** @typedef {import('./table').GlobalCall} GlobalCall */
/** @typedef {import('./table').ApplyContext} ApplyContext */
/** @typedef {import('./table').DetachContext} DetachContext */
/** @typedef {import('./fields').FieldStatus} FieldStatus */

/**
 * Every provider field this adapter applies, in the order it applies them
 * (computed from the table's constraints): the handlers first, so that the
 * partition's security policy is in place before anything else changes;
 * preconnect last, "once the session is configured" (docs/families.md).
 */
const FIELD_ORDER = TABLE.order.map((e) => e.field);

/**
 * What the adapter did to one session, kept between revisions.
 */
class PartitionApplier {
  /**
   * @param {string} partition
   * @param {SessionLike} session
   * @param {InstanceType<typeof MaintenanceJournal>} [journal] the record of the maintenance actions run (default: in memory only).
   * @param {InstanceType<typeof EventLog>} [events] where handlers record what they decided (default: a log of its own).
   * @param {import('./types').DesktopCapturerLike|null} [desktopCapturer] Electron's desktopCapturer, for the displayMedia handler.
   */
  constructor(partition, session, journal, events, desktopCapturer) {
    this.partition = partition;
    this.session = session;
    this.desktopCapturer = desktopCapturer || null;
    this.journal = journal || new MaintenanceJournal(null);
    /** @type {InstanceType<typeof EventLog>} the partition's session events (lib/events.js). */
    this.events = events || new EventLog();
    /** @type {Profile|null} the last profile applied (possibly with field errors). */
    this.applied = null;
    /** @type {FieldError[]} errors of the last apply. */
    this.errors = [];
    /** @type {Set<string>} fields removed from the profile whose value stays in Electron. */
    this.retained = new Set();
    /** @type {Map<string, any>} each entry's own state (the handlers it installed, the extensions it loaded, …), by field. */
    this.states = new Map();
    for (const e of TABLE.order) if (e.state) this.states.set(e.field, e.state());
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
    /** @type {ApplyContext} */
    const ctx = {
      partition: this.partition,
      session: this.session,
      fields: profile.fields,
      previous: (field) => (prev ? prev.fields[field] : undefined),
      changed,
      failedBefore: (field) => failed.has(field),
      globals,
      errors,
      call: async (field, call, fn) => {
        try {
          return { ok: true, value: await fn() };
        } catch (e) {
          errors.push({ field, call, message: errorMessage(e) });
          return { ok: false };
        }
      },
      refuse: (field, message) => {
        errors.push({ field, call: null, message });
      },
      journal: this.journal,
      desktopCapturer: this.desktopCapturer,
      note: (event, details) => {
        this.events.record(event, details);
      },
    };

    for (const field of Object.keys(profile.raw)) {
      if (!TABLE.byField.has(field)) {
        ctx.refuse(field, `unknown profile field "${field}": this version of @sessctl/electron cannot apply it (written by a newer sessctl?); update the adapter`);
      }
    }

    for (const entry of TABLE.order) {
      if (!entry.apply) continue; // a companion: its owner applies it
      const state = this.states.get(entry.field);
      const group = [entry, ...(TABLE.companions.get(entry.field) || [])];
      if (group.some((e) => changed(e.field))) {
        // Validate first: a value that fails makes no call.
        /** @type {{field: string, problem: string} | null} */
        let bad = null;
        for (const e of group) {
          const value = profile.fields[e.field];
          const problem = e.validate && value !== undefined ? e.validate(value) : null;
          if (problem) {
            bad = { field: e.field, problem };
            break;
          }
        }
        if (!bad) await entry.apply(ctx, state);
        else if (entry.invalid) await entry.invalid(ctx, state, bad.problem, bad.field);
        else ctx.refuse(bad.field, bad.problem);
      } else if (removed(entry.field) && entry.reset) {
        await entry.reset(ctx, state);
      }
    }

    if (prev !== null) {
      for (const field of Object.keys(prev.raw)) {
        const e = TABLE.byField.get(field);
        if (profile.raw[field] === undefined && e && e.retained) this.retained.add(field);
      }
    }
    for (const field of Object.keys(profile.raw)) this.retained.delete(field);
    this.applied = profile;
    this.errors = errors;
    return errors;
  }

  /**
   * Undoes what can be undone when the partition leaves index.json: each
   * entry's detach hook, in the table's detach order (the handlers and
   * listener, the extensions and preload scripts this adapter added,
   * network emulation, TLS). The rest keeps its value.
   * @returns {FieldError[]}
   */
  remove() {
    /** @type {FieldError[]} */
    const errors = [];
    const applied = this.applied;
    /** @type {DetachContext} */
    const ctx = {
      session: this.session,
      had: (field) => applied !== null && applied.raw[field] !== undefined,
      run: (field, name, fn) => {
        try {
          fn();
        } catch (e) {
          errors.push({ field, call: name, message: errorMessage(e) });
        }
      },
    };
    for (const entry of TABLE.detachOrder) {
      if (entry.detach) entry.detach.run(ctx, this.states.get(entry.field));
    }
    return errors;
  }

  /**
   * What Electron reports back for the status file, from each entry's
   * readBack. Never throws.
   * @returns {FieldStatus}
   */
  readBack() {
    /** @type {Record<string, unknown>} */
    const out = {};
    for (const e of TABLE.order) {
      if (e.readBack) Object.assign(out, e.readBack.read(this.session, this.states.get(e.field)));
    }
    return /** @type {FieldStatus} */ (out);
  }
}

/**
 * The status members of a partition whose session the adapter never got.
 * @returns {FieldStatus}
 */
function noReadBack() {
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const e of TABLE.order) {
    if (e.readBack) Object.assign(out, structuredClone(e.readBack.none));
  }
  return /** @type {FieldStatus} */ (out);
}

/**
 * @param {string} field
 * @returns {(t: unknown) => string|null}
 */
function validatorOf(field) {
  const e = TABLE.byField.get(field);
  const v = e && e.validate;
  if (!v) throw new Error(`field table: ${field} has no validate`);
  return v;
}

module.exports = {
  FIELD_ORDER,
  PartitionApplier,
  noReadBack,
  checkPermissionTable: validatorOf('permissions'),
  checkCertificateTable: validatorOf('certificateRules'),
  checkSerialTable: validatorOf('serialRules'),
};
