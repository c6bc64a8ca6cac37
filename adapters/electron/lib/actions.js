// @ts-check
'use strict';

// One-shot actions (docs/actions.md): the maintenance actions a profile
// asks for with generation numbers (lib/fields/maintenance.js), and the
// queue `sessctl action` appends to (<dir>/actions.json), which the
// adapter runs in order, each exactly once: its result file
// (<statusDir>/actions/<id>.json) says "running" before the Electron call
// and "done" or "failed" after it, and an action that has a result file is
// never run again by this or a later process. A "running" result left by a
// process that stopped is turned into an interrupted failure; the
// operator retries with `sessctl action retry ID`, which queues a new ID.

const fs = require('node:fs');
const path = require('node:path');

const { errorMessage } = require('./profile');
const { writeJSONAtomic, isObject, INTERRUPTED } = require('./journal');

/** @typedef {import('./types').SessionLike} SessionLike */

/** The queue file sessctl writes in the output directory. */
const QUEUE_FILE = 'actions.json';
/** Subdirectories of the status directory. */
const RESULTS_DIR = 'actions';
const NETLOG_DIR = 'netlog';
/** The most a net log may grow to (sessctl's --max-size is checked against it too). */
const MAX_NETLOG_BYTES = 1024 * 1024 * 1024;
/** The most entries the queue may hold (sessctl refuses to add more). */
const MAX_QUEUE = 10000;

/**
 * The maintenance actions, in the order they run: connection state first,
 * so that the caches cleared next are not refilled through old
 * connections; flushStorageData last.
 * @type {ReadonlyArray<{method: string, run: (ses: SessionLike, options: unknown) => unknown}>}
 */
const MAINTENANCE_ACTIONS = [
  { method: 'forceReloadProxyConfig', run: (ses) => ses.forceReloadProxyConfig() },
  { method: 'clearHostResolverCache', run: (ses) => ses.clearHostResolverCache() },
  { method: 'clearAuthCache', run: (ses) => ses.clearAuthCache() },
  { method: 'closeAllConnections', run: (ses) => ses.closeAllConnections() },
  { method: 'clearCache', run: (ses) => ses.clearCache() },
  {
    method: 'clearStorageData',
    // electron.d.ts 45 does not list `quotas`; Electron still reads it
    // (shell/browser/api/electron_api_session.cc GetQuotaMask).
    run: (ses, options) => (options === undefined
      ? ses.clearStorageData()
      : ses.clearStorageData(/** @type {Electron.ClearStorageDataOptions} */ (options))),
  },
  { method: 'flushStorageData', run: (ses) => ses.flushStorageData() },
];

/** Storage and quota types Electron 45 knows (providers/maintenance). */
const STORAGES = ['cookies', 'filesystem', 'indexdb', 'localstorage', 'shadercache', 'serviceworkers', 'cachestorage'];
const QUOTAS = ['temporary'];
const CAPTURE_MODES = ['default', 'includeSensitive', 'everything'];

/**
 * One entry of the queue.
 * @typedef {object} QueuedAction
 * @property {string} id `<sequence>-<8 hex digits>`.
 * @property {string} partition
 * @property {string} action
 * @property {Record<string, unknown>} args
 */

/**
 * What running an action needs.
 * @typedef {object} ActionTarget
 * @property {SessionLike} session
 * @property {string} file the partition's profile file name (plain, checked).
 * @property {string} statusDir
 * @property {Map<string, string>} netLogs the net log file in progress, by partition.
 * @property {string} partition
 * @property {string} id the action's ID.
 */

/**
 * @param {unknown} v
 * @returns {v is string[]}
 */
function isStringList(v) {
  return Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string');
}

/**
 * A simple action: one call, no arguments.
 * @param {string} method
 * @returns {{check: (args: Record<string, unknown>) => string|null, run: (t: ActionTarget, args: Record<string, unknown>) => Promise<unknown>}}
 */
function simple(method) {
  const a = MAINTENANCE_ACTIONS.find((x) => x.method === method);
  if (!a) throw new Error(`no maintenance action ${method}`);
  return {
    check: (args) => (Object.keys(args).length === 0 ? null : `${method} takes no arguments`),
    run: async (t) => {
      await a.run(t.session, undefined);
      return null;
    },
  };
}

/**
 * The actions `sessctl action` queues, by name: how their arguments are
 * checked (the queue is input like any other) and what they call.
 * @type {Record<string, {check: (args: Record<string, unknown>) => string|null, run: (t: ActionTarget, args: Record<string, unknown>) => Promise<unknown>}>}
 */
const QUEUE_ACTIONS = {
  'clear-cache': simple('clearCache'),
  'clear-auth-cache': simple('clearAuthCache'),
  'clear-host-resolver-cache': simple('clearHostResolverCache'),
  'flush-storage-data': simple('flushStorageData'),
  'force-reload-proxy-config': simple('forceReloadProxyConfig'),
  'close-all-connections': simple('closeAllConnections'),
  'clear-storage-data': {
    check(args) {
      for (const [k, v] of Object.entries(args)) {
        if (k === 'origin') {
          if (typeof v !== 'string' || v === '') return 'origin must be a non-empty string';
        } else if (k === 'storages' || k === 'quotas') {
          const allowed = k === 'storages' ? STORAGES : QUOTAS;
          if (!isStringList(v) || !v.every((s) => allowed.includes(s))) return `${k} must be a list of ${allowed.join(', ')}`;
        } else {
          return `clear-storage-data has no argument ${JSON.stringify(k)}`;
        }
      }
      return null;
    },
    async run(t, args) {
      const a = MAINTENANCE_ACTIONS.find((x) => x.method === 'clearStorageData');
      await /** @type {NonNullable<typeof a>} */ (a).run(t.session, Object.keys(args).length > 0 ? args : undefined);
      return null;
    },
  },
  'get-cache-size': {
    check: (args) => (Object.keys(args).length === 0 ? null : 'get-cache-size takes no arguments'),
    async run(t) {
      return { bytes: await t.session.getCacheSize() };
    },
  },
  'download-url': {
    check(args) {
      const keys = Object.keys(args);
      if (keys.length !== 1 || typeof args.url !== 'string') return 'download-url takes one argument, url';
      let u;
      try {
        u = new URL(args.url);
      } catch {
        return `url ${JSON.stringify(args.url)} is not an absolute URL`;
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return `url must be http or https, not ${u.protocol}`;
      return null;
    },
    async run(t, args) {
      // Saved into the session's download path (setDownloadPath; the
      // app's will-download listeners still see it).
      t.session.downloadURL(/** @type {string} */ (args.url));
      return { url: args.url };
    },
  },
  'net-log': {
    check(args) {
      for (const k of Object.keys(args)) {
        if (!['command', 'max_file_size', 'capture_mode'].includes(k)) return `net-log has no argument ${JSON.stringify(k)}`;
      }
      if (args.command === 'stop') return Object.keys(args).length === 1 ? null : 'net-log stop takes no options';
      if (args.command !== 'start') return 'net-log needs command "start" or "stop"';
      const n = args.max_file_size;
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1 || n > MAX_NETLOG_BYTES) {
        return `max_file_size must be a whole number of bytes from 1 to ${MAX_NETLOG_BYTES}`;
      }
      if (args.capture_mode !== undefined && !CAPTURE_MODES.includes(/** @type {string} */ (args.capture_mode))) {
        return `capture_mode must be one of ${CAPTURE_MODES.join(', ')}`;
      }
      return null;
    },
    async run(t, args) {
      if (args.command === 'stop') {
        await t.session.netLog.stopLogging();
        const file = t.netLogs.get(t.partition) || null;
        t.netLogs.delete(t.partition);
        return { path: file };
      }
      // The file name comes from the profile file name and the action ID,
      // both checked plain names: never from the partition name.
      const dir = path.join(t.statusDir, NETLOG_DIR);
      await fs.promises.mkdir(dir, { recursive: true, mode: 0o755 });
      const file = path.join(dir, `${t.file.replace(/\.json$/, '')}-${t.id}.json`);
      /** @type {Electron.StartLoggingOptions} */
      const opts = { maxFileSize: /** @type {number} */ (args.max_file_size) };
      if (typeof args.capture_mode === 'string') opts.captureMode = /** @type {Electron.StartLoggingOptions['captureMode']} */ (args.capture_mode);
      await t.session.netLog.startLogging(file, opts);
      t.netLogs.set(t.partition, file);
      return { path: file, max_file_size: opts.maxFileSize };
    },
  },
};

/** @param {unknown} id */
function validID(id) {
  return typeof id === 'string' && /^[1-9][0-9]{0,9}-[0-9a-f]{8}$/.test(id);
}

/**
 * Reads the queue. Returns [] when there is none; throws on a malformed one.
 * @param {string} dir
 * @returns {Promise<QueuedAction[]>}
 */
async function readQueue(dir) {
  let text;
  try {
    text = await fs.promises.readFile(path.join(dir, QUEUE_FILE), 'utf8');
  } catch (e) {
    if (/** @type {NodeJS.ErrnoException} */ (e).code === 'ENOENT') return [];
    throw e;
  }
  const doc = JSON.parse(text);
  if (!isObject(doc) || doc.format_version !== 1 || !Array.isArray(doc.actions)) {
    throw new Error(`${QUEUE_FILE} is not an action queue of format_version 1`);
  }
  /** @type {QueuedAction[]} */
  const out = [];
  for (const [i, a] of doc.actions.slice(0, MAX_QUEUE).entries()) {
    if (!isObject(a) || !validID(a.id) || typeof a.partition !== 'string' || typeof a.action !== 'string' ||
        (a.args !== undefined && !isObject(a.args))) {
      throw new Error(`${QUEUE_FILE} actions[${i}] is malformed: it needs an "id" (sequence-8 hex digits), a string "partition" and "action", and an object "args"`);
    }
    out.push({ id: /** @type {string} */ (a.id), partition: a.partition, action: a.action, args: isObject(a.args) ? a.args : {} });
  }
  return out;
}

/**
 * A result file.
 * @typedef {object} ActionResult
 * @property {number} format_version
 * @property {string} id
 * @property {string} partition
 * @property {string} action
 * @property {'running'|'done'|'failed'} state
 * @property {unknown} result what the call returned (get-cache-size: {bytes}), null otherwise.
 * @property {string|null} error Electron's error, or why the adapter did not run it.
 * @property {string|null} started_at
 * @property {string|null} finished_at
 * @property {number} pid
 */

/**
 * Runs the queue of one output directory.
 */
class ActionRunner {
  /**
   * @param {string} dir
   * @param {string} statusDir
   */
  constructor(dir, statusDir) {
    this.dir = dir;
    this.statusDir = statusDir;
    /** @type {Map<string, string>} */
    this.netLogs = new Map();
    /** @type {Set<string>} IDs this process is running. */
    this.inflight = new Set();
  }

  /** @param {string} id */
  resultPath(id) {
    return path.join(this.statusDir, RESULTS_DIR, `${id}.json`);
  }

  /**
   * @param {string} id
   * @returns {Promise<ActionResult|null>}
   */
  async readResult(id) {
    try {
      return JSON.parse(await fs.promises.readFile(this.resultPath(id), 'utf8'));
    } catch (e) {
      if (/** @type {NodeJS.ErrnoException} */ (e).code === 'ENOENT') return null;
      // A result that cannot be read still says the action was taken up.
      return /** @type {ActionResult} */ ({ state: 'failed' });
    }
  }

  /**
   * Runs every queued action that has no result yet, in queue order.
   * @param {(partition: string) => {session: SessionLike, file: string} | 'pending' | null} target
   *   the partition's session and profile file; 'pending' while it is in index.json but has no session yet; null when it is not in index.json.
   * @param {(message: string) => void} problem
   * @returns {Promise<string[]>} the IDs run (or failed) in this call.
   */
  async run(target, problem) {
    let queue;
    try {
      queue = await readQueue(this.dir);
    } catch (e) {
      problem(`cannot use ${path.join(this.dir, QUEUE_FILE)}: ${errorMessage(e)}`);
      return [];
    }
    /** @type {string[]} */
    const ran = [];
    for (const a of queue) {
      if (this.inflight.has(a.id)) continue;
      const prev = await this.readResult(a.id);
      if (prev) {
        if (prev.state === 'running') {
          // Left by a process that stopped in the middle: never run twice.
          await this.write(a, { ...prev, state: 'failed', error: INTERRUPTED, finished_at: new Date().toISOString() }, problem);
        }
        continue;
      }
      const t = target(a.partition);
      if (t === 'pending') continue;
      const base = {
        format_version: 1, id: a.id, partition: a.partition, action: a.action,
        result: null, error: null, started_at: new Date().toISOString(), finished_at: null, pid: process.pid,
      };
      const spec = Object.prototype.hasOwnProperty.call(QUEUE_ACTIONS, a.action) ? QUEUE_ACTIONS[a.action] : null;
      const refused = t === null ? `partition ${JSON.stringify(a.partition)} is not in index.json`
        : !spec ? `unknown action ${JSON.stringify(a.action)} (written by a newer sessctl?)`
          : spec.check(a.args);
      if (refused || !spec || t === null) {
        await this.write(a, { ...base, state: 'failed', error: refused || 'refused', finished_at: base.started_at }, problem);
        ran.push(a.id);
        continue;
      }
      // "running" is on disk before the call, or the call is not made.
      if (!(await this.write(a, { ...base, state: 'running' }, problem))) continue;
      this.inflight.add(a.id);
      /** @type {ActionResult} */
      let res;
      try {
        const result = await spec.run({ ...t, statusDir: this.statusDir, netLogs: this.netLogs, partition: a.partition, id: a.id }, a.args);
        res = { ...base, state: 'done', result, finished_at: new Date().toISOString() };
      } catch (e) {
        res = { ...base, state: 'failed', error: errorMessage(e), finished_at: new Date().toISOString() };
      }
      await this.write(a, res, problem);
      this.inflight.delete(a.id);
      ran.push(a.id);
    }
    return ran;
  }

  /**
   * @param {QueuedAction} a
   * @param {ActionResult} res
   * @param {(message: string) => void} problem
   * @returns {Promise<boolean>}
   */
  async write(a, res, problem) {
    try {
      await writeJSONAtomic(this.resultPath(a.id), res);
      return true;
    } catch (e) {
      problem(`cannot record action ${a.id} (${a.action}) in ${path.join(this.statusDir, RESULTS_DIR)}: ${errorMessage(e)}`);
      return false;
    }
  }
}

module.exports = {
  MAINTENANCE_ACTIONS, QUEUE_ACTIONS, QUEUE_FILE, RESULTS_DIR, NETLOG_DIR, MAX_NETLOG_BYTES, MAX_QUEUE,
  ActionRunner, readQueue, validID,
};
