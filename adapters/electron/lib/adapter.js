// @ts-check
'use strict';

// The adapter: reads index.json, applies each partition whose revision
// changed, writes a status file per partition, and follows the directory.
// It is level-triggered like sessctl's own watch loop: a file-system event
// only says "look again"; each sync re-reads index.json and compares every
// partition's revision and digest with what was applied.

const { EventEmitter } = require('node:events');
const fs = require('node:fs');
const path = require('node:path');

const { PartitionApplier, noReadBack } = require('./apply');
const { readIndex, readProfile, ProfileError, errorMessage, INDEX_FILE } = require('./profile');
const { writeStatus, removeStatus, orderStatus, STATUS_DIR } = require('./status');
const { MaintenanceJournal, journalPath } = require('./journal');
const { ActionRunner, QUEUE_FILE } = require('./actions');
const { EventLog, noEvents, observeSession } = require('./events');
const { readSession } = require('./readback');

/** @typedef {InstanceType<typeof PartitionApplier>} Applier */
/** @typedef {import('./types').SessionModule} SessionModule */
/** @typedef {import('./types').SessionLike} SessionLike */
/** @typedef {import('./types').FieldError} FieldError */
/** @typedef {import('./status').Status} Status */
/** @typedef {import('./profile').IndexEntry} IndexEntry */

/**
 * @typedef {object} AdapterOptions
 * @property {string} dir sessctl's output directory (the `output` setting).
 * @property {SessionModule} session Electron's `session` module (`require('electron').session`).
 * @property {import('./types').DesktopCapturerLike} [desktopCapturer] Electron's `desktopCapturer` module (`require('electron').desktopCapturer`): needed by a `displayMedia` profile field, whose handler lists the screens and windows it may grant.
 * @property {string} [statusDir] where status files go; default `<dir>/status`, which `sessctl show` and `sessctl drift` read.
 * @property {number} [debounceMs] delay between a file-system event and the sync it triggers; default 50.
 * @property {number} [resyncMs] period of a full sync even without events (fs.watch can miss events); default 60000, 0 disables.
 * @property {number} [pollMs] how often index.json is checked when fs.watch cannot be used; default 1000.
 * @property {typeof fs.watch} [fsWatch] the watch function (tests inject a failing one); default fs.watch.
 * @property {number} [eventLimit] session events kept per partition in the status file (`events.recent`); default 50, at most 1000, 0 keeps counts only.
 * @property {number} [eventFlushMs] delay between a session event and the status write that records it (events in between share the write); default 250.
 * @property {number} [readbackMs] period of the read-back of every session (`readback` in the status file) besides the one after each apply; default 60000, 0 disables.
 */

/**
 * How the adapter follows the directory, recorded in every status file.
 * @typedef {object} WatchState
 * @property {'none'|'fs.watch'|'poll'} mode `poll`: fs.watch failed and index.json is checked every pollMs.
 * @property {string|null} error why fs.watch could not be used.
 */

/**
 * What the adapter knows about one partition of index.json.
 * @typedef {object} PartitionSlot
 * @property {string} file profile file name, also the status file name.
 * @property {Applier | null} applier null until the session was obtained.
 * @property {Status | null} status the last status written.
 * @property {string} rejectedKey the last rejection reported, so that an unchanged refusal is not rewritten on every sync.
 * @property {string | null} appliedAt when the revision in effect was applied.
 * @property {InstanceType<typeof EventLog> | null} events the session's event log, from when the adapter got the session.
 * @property {(() => void) | null} unobserve removes the event listeners.
 * @property {NodeJS.Timeout | null} flushTimer pending status write for recorded events.
 * @property {Promise<void>} writing the last status write, so that writes land in order.
 * @property {number} reports status reports (applies, refusals) so far: a periodic read-back that started before one is not written.
 */

/**
 * @typedef {object} SyncResult
 * @property {string[]} applied partitions applied in this sync, in index order.
 * @property {string[]} rejected partitions whose new profile was refused (the previous settings stay).
 * @property {string[]} removed partitions that left index.json.
 * @property {string[]} actions IDs of queued actions (sessctl action) run or refused in this sync.
 * @property {string|null} problem why index.json could not be used, or null.
 */

/**
 * One adapter per output directory. Events: `status` (partition, Status)
 * after each status file write, `sync` (SyncResult) after each sync,
 * `problem` (message) when the directory or index.json cannot be used.
 * When fs.watch fails it falls back to polling, emits `problem` and, only
 * if the app listens for it, `error` (an `error` event with no listener
 * would crash the app's main process), and records it in every status.
 */
class Adapter extends EventEmitter {
  /** @param {AdapterOptions} options */
  constructor(options) {
    super();
    if (!options || typeof options.dir !== 'string' || options.dir === '') {
      throw new TypeError('@sessctl/electron: options.dir must be the sessctl output directory');
    }
    if (!options.session || typeof options.session.fromPartition !== 'function') {
      throw new TypeError("@sessctl/electron: options.session must be Electron's session module (require('electron').session)");
    }
    this.dir = path.resolve(options.dir);
    this.statusDir = path.resolve(options.statusDir || path.join(this.dir, STATUS_DIR));
    this.sessions = options.session;
    this.debounceMs = options.debounceMs ?? 50;
    this.resyncMs = options.resyncMs ?? 60000;
    this.pollMs = options.pollMs ?? 1000;
    this.fsWatch = options.fsWatch || fs.watch;
    this.eventLimit = options.eventLimit ?? 50;
    this.eventFlushMs = options.eventFlushMs ?? 250;
    this.readbackMs = options.readbackMs ?? 60000;
    this.desktopCapturer = options.desktopCapturer || null;
    /** @type {NodeJS.Timeout | null} */
    this.readbackTimer = null;
    /** @type {WatchState} */
    this.watchState = { mode: 'none', error: null };
    /** @type {NodeJS.Timeout | null} */
    this.poller = null;
    /** @type {Map<string, PartitionSlot>} */
    this.partitions = new Map();
    /** @type {import('./table').Globals} */
    this.globals = { ntlmDomains: null, dictionaryDownloadURL: null };
    /** @type {Promise<SyncResult> | null} */
    this.running = null;
    this.again = false;
    /** @type {fs.FSWatcher | null} */
    this.watcher = null;
    /** @type {NodeJS.Timeout | null} */
    this.debounce = null;
    /** @type {NodeJS.Timeout | null} */
    this.resync = null;
    this.closed = false;
    this.actions = new ActionRunner(this.dir, this.statusDir);
  }

  /**
   * @overload
   * @param {'status'} event a partition's status file was written.
   * @param {(partition: string, status: Status) => void} listener
   * @returns {this}
   */
  /**
   * @overload
   * @param {'sync'} event a sync ended.
   * @param {(result: SyncResult) => void} listener
   * @returns {this}
   */
  /**
   * @overload
   * @param {'problem'} event the directory or index.json cannot be used, or a status cannot be written.
   * @param {(message: string) => void} listener
   * @returns {this}
   */
  /**
   * @overload
   * @param {'error'} event fs.watch failed and the adapter polls index.json instead (emitted only while a listener exists; 'problem' carries the same message).
   * @param {(error: Error) => void} listener
   * @returns {this}
   */
  /**
   * @param {string} event
   * @param {(...args: any[]) => void} listener
   * @returns {this}
   */
  on(event, listener) {
    return super.on(event, listener);
  }

  /**
   * Brings every session in line with index.json. Concurrent calls are
   * merged: a sync requested while one runs starts once it ends.
   * @returns {Promise<SyncResult>}
   */
  sync() {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = async () => {
      /** @type {SyncResult} */
      let result;
      do {
        this.again = false;
        result = await this.syncOnce();
        this.emit('sync', result);
      } while (this.again && !this.closed);
      return result;
    };
    this.running = run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /**
   * @returns {Promise<SyncResult>}
   */
  async syncOnce() {
    /** @type {SyncResult} */
    const result = { applied: [], rejected: [], removed: [], actions: [], problem: null };
    /** @type {IndexEntry[]} */
    let entries;
    try {
      entries = await readIndex(this.dir);
    } catch (e) {
      // Nothing is changed on a missing or bad index: the sessions keep
      // what they have.
      result.problem = errorMessage(e);
      this.emit('problem', result.problem);
      return result;
    }
    const globalsBefore = { ...this.globals };
    for (const entry of entries) {
      if (this.closed) return result;
      let outcome;
      try {
        outcome = await this.syncPartition(entry);
      } catch (e) {
        // A bug of the adapter, or a session that throws where Electron's
        // does not: the other partitions still get their turn.
        this.emit('problem', `partition ${JSON.stringify(entry.partition)}: ${errorMessage(e)}`);
        outcome = 'rejected';
      }
      if (outcome === 'applied') result.applied.push(entry.partition);
      else if (outcome === 'rejected') result.rejected.push(entry.partition);
    }
    const listed = new Set(entries.map((e) => e.partition));
    for (const [name, p] of [...this.partitions]) {
      if (listed.has(name)) continue;
      if (p.unobserve) p.unobserve();
      if (p.flushTimer) clearTimeout(p.flushTimer);
      p.flushTimer = null;
      if (p.applier) {
        for (const e of p.applier.remove()) {
          this.emit('problem', `partition ${JSON.stringify(name)} left index.json; undoing ${e.field}: ${e.call}: ${e.message}`);
        }
      }
      this.partitions.delete(name);
      await removeStatus(this.statusDir, p.file);
      const jp = journalPath(this.statusDir, p.file);
      if (jp) await fs.promises.rm(jp, { force: true }).catch(() => {});
      // The cookies entry's record of what it set (lib/fields/cookies.js): its detach removed them.
      if (jp) await fs.promises.rm(path.join(this.statusDir, 'cookies', p.file), { force: true }).catch(() => {});
      result.removed.push(name);
    }
    if (result.applied.length > 0 || result.removed.length > 0 ||
        globalsBefore.ntlmDomains !== this.globals.ntlmDomains ||
        globalsBefore.dictionaryDownloadURL !== this.globals.dictionaryDownloadURL) {
      this.settleGlobals(entries);
    }
    // The queued actions run after the settings they may depend on, on
    // the sessions as this sync left them.
    result.actions = await this.actions.run((partition) => {
      if (!listed.has(partition)) return null;
      const p = this.partitions.get(partition);
      return p && p.applier && p.applier.applied ? { session: p.applier.session, file: p.file } : 'pending';
    }, (message) => this.emit('problem', message));
    return result;
  }

  /**
   * @param {IndexEntry} entry
   * @returns {Promise<'applied'|'unchanged'|'rejected'|'pending'>}
   */
  async syncPartition(entry) {
    let p = this.partitions.get(entry.partition);
    if (!p) {
      p = {
        file: entry.file, applier: null, status: null, rejectedKey: '', appliedAt: null,
        events: null, unobserve: null, flushTimer: null, writing: Promise.resolve(), reports: 0,
      };
      this.partitions.set(entry.partition, p);
    }
    if (p.file !== entry.file) {
      // A new file name for the same partition (a newer sessctl naming
      // scheme): the status follows the profile's name.
      await removeStatus(this.statusDir, p.file);
      p.file = entry.file;
    }
    const applied = p.applier && p.applier.applied;
    if (applied && applied.revision === entry.revision && applied.digest === entry.digest) {
      return 'unchanged';
    }
    let profile;
    try {
      profile = await readProfile(this.dir, entry);
    } catch (e) {
      if (e instanceof ProfileError && e.pending) return 'pending';
      const reason = errorMessage(e);
      const key = `${entry.revision}\0${entry.digest}\0${reason}`;
      if (p.rejectedKey !== key) {
        p.rejectedKey = key;
        await this.report(entry, p, { revision: entry.revision, digest: entry.digest, reason });
      }
      return 'rejected';
    }
    if (!p.applier) {
      /** @type {SessionLike} */
      let ses;
      try {
        ses = entry.partition === ''
          ? this.sessions.defaultSession
          : this.sessions.fromPartition(entry.partition, { cache: profile.cache });
      } catch (e) {
        const reason = `cannot get the session: ${errorMessage(e)}`;
        p.rejectedKey = '';
        await this.report(entry, p, { revision: entry.revision, digest: entry.digest, reason });
        return 'rejected';
      }
      // A journal that cannot be read makes the maintenance entry refuse
      // to run anything (a field error), rather than risk a second run.
      const journal = new MaintenanceJournal(journalPath(this.statusDir, entry.file));
      const slot = p;
      const events = new EventLog(this.eventLimit, () => this.scheduleFlush(slot));
      p.events = events;
      p.unobserve = observeSession(ses, events);
      p.applier = new PartitionApplier(entry.partition, ses, journal, events, this.desktopCapturer);
    }
    await p.applier.apply(profile, this.globals);
    p.appliedAt = new Date().toISOString();
    p.rejectedKey = '';
    await this.report(entry, p, null);
    return 'applied';
  }

  /**
   * Writes the partition's status file.
   * @param {IndexEntry} entry
   * @param {PartitionSlot} p
   * @param {{revision: number, digest: string, reason: string} | null} rejected
   */
  async report(entry, p, rejected) {
    p.reports++;
    const a = p.applier;
    const now = new Date().toISOString();
    const applied = a && a.applied;
    const errors = a ? a.errors : [];
    const status = orderStatus({
      format_version: 1,
      partition: entry.partition,
      file: entry.file,
      state: rejected ? 'rejected' : errors.length > 0 ? 'partial' : 'applied',
      revision: applied ? applied.revision : 0,
      digest: applied ? applied.digest : '',
      applied_at: p.appliedAt,
      updated_at: now,
      errors,
      rejected,
      retained: a ? [...a.retained].sort() : [],
      maintenance: a ? a.journal.snapshot() : {},
      // What Electron reports back (extensions, preloads, spellchecker,
      // user agent): each field entry's readBack.
      ...(a ? a.readBack() : noReadBack()),
      readback: a ? await readSession(a.session, ownExtensions(a)) : null,
      events: p.events ? p.events.toStatus() : noEvents(this.eventLimit),
      watch: { ...this.watchState },
      electron_version: process.versions.electron || null,
      adapter_version: ADAPTER_VERSION,
      pid: process.pid,
    });
    await this.write(p, status);
  }

  /**
   * Writes a partition's status after the writes already under way, so
   * that a slow write never replaces a newer one.
   * @param {PartitionSlot} p
   * @param {Status} status
   */
  write(p, status) {
    p.status = status;
    const run = async () => {
      try {
        await writeStatus(this.statusDir, p.file, status);
      } catch (e) {
        this.emit('problem', `cannot write the status of partition ${JSON.stringify(status.partition)} in ${this.statusDir}: ${errorMessage(e)}`);
      }
      this.emit('status', status.partition, status);
    };
    p.writing = p.writing.then(run, run);
    return p.writing;
  }

  /**
   * A session event was recorded: writes the status once eventFlushMs
   * passed (events in between share the write).
   * @param {PartitionSlot} p
   */
  scheduleFlush(p) {
    if (this.closed || p.flushTimer) return;
    p.flushTimer = setTimeout(() => {
      p.flushTimer = null;
      this.flushSlot(p).catch((e) => this.emit('problem', errorMessage(e)));
    }, this.eventFlushMs);
    p.flushTimer.unref();
  }

  /**
   * Writes the partition's status with its current events.
   * @param {PartitionSlot} p
   */
  async flushSlot(p) {
    if (!p.status || !p.events || this.partitions.get(p.status.partition) !== p) return;
    await this.write(p, { ...p.status, events: p.events.toStatus(), updated_at: new Date().toISOString() });
  }

  /**
   * Writes now the status of every partition with events not written
   * yet; resolves when the files are written.
   */
  async flush() {
    for (const p of this.partitions.values()) {
      if (!p.flushTimer) continue;
      clearTimeout(p.flushTimer);
      p.flushTimer = null;
      await this.flushSlot(p);
    }
    await Promise.all([...this.partitions.values()].map((p) => p.writing));
  }

  /**
   * Reads every session back (lib/readback.js) and writes the statuses
   * with the new `readback` and the events so far. Runs every readbackMs
   * while watching; resolves when the files are written.
   */
  async readBackAll() {
    for (const p of [...this.partitions.values()]) {
      if (!p.applier || !p.status) continue;
      const reports = p.reports;
      const readback = await readSession(p.applier.session, ownExtensions(p.applier));
      // An apply reported meanwhile read the session after this read began.
      if (this.partitions.get(p.status.partition) !== p || p.reports !== reports) continue;
      if (p.flushTimer) clearTimeout(p.flushTimer);
      p.flushTimer = null;
      await this.write(p, {
        ...p.status, readback, events: p.events ? p.events.toStatus() : p.status.events,
        updated_at: new Date().toISOString(),
      });
    }
  }

  /**
   * Process-wide settings follow index order: among the partitions that
   * set one, the last in index.json wins (docs/families.md). Applying only
   * the partitions that changed can leave another partition's value in
   * effect, so the winner's value is set again when it is not the last
   * one called.
   * @param {IndexEntry[]} entries
   */
  settleGlobals(entries) {
    /** @type {{partition: string, value: string, applier: Applier} | null} */
    let ntlm = null;
    /** @type {{partition: string, value: string, applier: Applier} | null} */
    let dict = null;
    for (const entry of entries) {
      const p = this.partitions.get(entry.partition);
      const a = p && p.applier;
      const prof = a && a.applied;
      if (!a || !prof) continue;
      if (typeof prof.fields.ntlmDomains === 'string') ntlm = { partition: entry.partition, value: prof.fields.ntlmDomains, applier: a };
      const sc = prof.fields.spellChecker;
      if (sc && typeof sc === 'object' && typeof (/** @type {any} */ (sc)).dictionaryDownloadURL === 'string') {
        dict = { partition: entry.partition, value: /** @type {any} */ (sc).dictionaryDownloadURL, applier: a };
      }
    }
    const g = this.globals;
    if (ntlm && !(g.ntlmDomains && g.ntlmDomains.partition === ntlm.partition && g.ntlmDomains.value === ntlm.value)) {
      try {
        ntlm.applier.session.allowNTLMCredentialsForDomains(ntlm.value);
        g.ntlmDomains = { partition: ntlm.partition, value: ntlm.value };
      } catch (e) {
        this.emit('problem', `allowNTLMCredentialsForDomains for partition ${JSON.stringify(ntlm.partition)}: ${errorMessage(e)}`);
      }
    }
    if (dict && !(g.dictionaryDownloadURL && g.dictionaryDownloadURL.partition === dict.partition && g.dictionaryDownloadURL.value === dict.value)) {
      try {
        dict.applier.session.setSpellCheckerDictionaryDownloadURL(dict.value);
        g.dictionaryDownloadURL = { partition: dict.partition, value: dict.value };
      } catch (e) {
        this.emit('problem', `setSpellCheckerDictionaryDownloadURL for partition ${JSON.stringify(dict.partition)}: ${errorMessage(e)}`);
      }
    }
  }

  /**
   * Follows the directory: fs.watch wakes a debounced sync on any change
   * (sessctl renames files into place, so every write is an event), and a
   * periodic sync covers events the platform drops. Returns this.
   */
  watch() {
    if (this.closed || this.watcher) return this;
    const wake = () => {
      if (this.closed) return;
      if (this.debounce) clearTimeout(this.debounce);
      this.debounce = setTimeout(() => {
        this.debounce = null;
        this.sync().catch((e) => this.emit('problem', errorMessage(e)));
      }, this.debounceMs);
    };
    try {
      // Status files live in a subdirectory, whose content changes are
      // not events of this (non-recursive) watch.
      const w = this.fsWatch(this.dir, { persistent: false }, () => wake());
      this.watcher = w;
      this.watchState = { mode: 'fs.watch', error: null };
      w.on('error', (e) => this.fallBackToPolling(`watching ${this.dir}: ${errorMessage(e)}`, wake));
    } catch (e) {
      // The directory may not exist yet, or the platform has no watch
      // left (inotify limits): polling finds the index when it appears.
      this.fallBackToPolling(`cannot watch ${this.dir}: ${errorMessage(e)}`, wake);
    }
    if (this.resyncMs > 0) {
      this.resync = setInterval(() => wake(), this.resyncMs);
      this.resync.unref();
    }
    if (this.readbackMs > 0) {
      this.readbackTimer = setInterval(() => {
        if (!this.closed) this.readBackAll().catch((e) => this.emit('problem', errorMessage(e)));
      }, this.readbackMs);
      this.readbackTimer.unref();
    }
    return this;
  }

  /**
   * Stops using fs.watch and checks index.json every pollMs instead:
   * sessctl renames a new index.json into place on every apply, so its
   * inode, size or mtime changes. Says so (problem, error if listened
   * to) and rewrites every status with the new watch state.
   * @param {string} message
   * @param {() => void} wake
   */
  fallBackToPolling(message, wake) {
    if (this.closed) return;
    if (this.watcher) this.watcher.close();
    this.watcher = null;
    this.watchState = { mode: 'poll', error: message };
    const note = `${message}; checking ${INDEX_FILE} every ${this.pollMs} ms instead`;
    this.emit('problem', note);
    if (this.listenerCount('error') > 0) this.emit('error', new Error(note));
    if (!this.poller) {
      // index.json, and the action queue sessctl action appends to: both
      // are renamed into place on every write.
      const files = [path.join(this.dir, INDEX_FILE), path.join(this.dir, QUEUE_FILE)];
      let last = '';
      const stamp = () => files.map((f) => {
        try {
          const st = fs.statSync(f);
          return `${st.ino}:${st.size}:${st.mtimeMs}`;
        } catch {
          return 'missing';
        }
      }).join(' ');
      last = stamp();
      this.poller = setInterval(() => {
        const now = stamp();
        if (now !== last) {
          last = now;
          wake();
        }
      }, this.pollMs);
      this.poller.unref();
    }
    this.rewriteStatuses().catch((e) => this.emit('problem', errorMessage(e)));
  }

  /** Writes every known status again (after the watch state changed). */
  async rewriteStatuses() {
    for (const p of this.partitions.values()) {
      if (!p.status) continue;
      await this.write(p, { ...p.status, watch: { ...this.watchState }, updated_at: new Date().toISOString() });
    }
  }

  /** Stops following the directory. The sessions keep their settings. */
  close() {
    this.closed = true;
    if (this.watcher) this.watcher.close();
    this.watcher = null;
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = null;
    if (this.resync) clearInterval(this.resync);
    this.resync = null;
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
    if (this.readbackTimer) clearInterval(this.readbackTimer);
    this.readbackTimer = null;
    for (const p of this.partitions.values()) {
      if (p.flushTimer) clearTimeout(p.flushTimer);
      p.flushTimer = null;
    }
  }

  /**
   * Records the `preload-error` events of a WebContents (a preload script
   * threw) in the status of the partition whose session it uses, so that
   * `sessctl events` shows them and `sessctl drift` reports a preload of
   * the profile that failed. Call it for each WebContents, e.g. from
   * `app.on('web-contents-created', (_e, wc) => adapter.observeWebContents(wc))`.
   * A WebContents of a session the adapter does not manage is ignored.
   * @param {import('./types').WebContentsLike} wc
   * @returns {this}
   */
  observeWebContents(wc) {
    try {
      wc.on('preload-error', (_event, preloadPath, error) => {
        for (const p of this.partitions.values()) {
          if (p.applier && p.events && /** @type {object} */ (p.applier.session) === wc.session) {
            p.events.record('preload-error', { path: preloadPath, message: errorMessage(error) });
            return;
          }
        }
      });
    } catch (e) {
      this.emit('problem', `cannot observe a WebContents: ${errorMessage(e)}`);
    }
    return this;
  }

  /**
   * The last status written for a partition, or null.
   * @param {string} partition
   * @returns {Status|null}
   */
  status(partition) {
    const p = this.partitions.get(partition);
    return p ? p.status : null;
  }
}

/**
 * IDs of the extensions the adapter loaded into the applier's session.
 * @param {Applier} a
 * @returns {string[]}
 */
function ownExtensions(a) {
  const st = a.states.get('extensions');
  return st && st.loaded instanceof Map ? [...st.loaded.keys()] : [];
}

const ADAPTER_VERSION = require('../package.json').version;

module.exports = { Adapter, INDEX_FILE, ADAPTER_VERSION };
