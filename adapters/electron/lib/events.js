// @ts-check
'use strict';

// Session events, recorded per partition for the status file's `events`
// member, which `sessctl events` prints and `sessctl drift` reads
// (docs/electron-adapter.md "Events"). The log is bounded: a count per
// event since the app started, and the last `limit` entries. Every string
// Electron hands over is cut to MAX_STRING characters, every list to
// MAX_LIST entries, so a page that preconnects to a megabyte URL cannot
// grow the file.
//
// The events are those of Electron's Session class (electron.d.ts, Electron
// 45; https://www.electronjs.org/docs/latest/api/session#instance-events).
// `select-serial-port` is recorded by the adapter's own port chooser
// (lib/fields/serialRules.js), the only place that knows which rule chose
// which port; `display-media-request` by the display media handler
// (lib/fields/displayMedia.js), which rule granted which source.

/** @typedef {import('./types').SessionLike} SessionLike */

/** Every event the log counts, in the order the status file lists them. */
const EVENT_NAMES = /** @type {const} */ ([
  'will-download',
  'extension-loaded',
  'extension-unloaded',
  'extension-ready',
  'preconnect',
  'spellcheck-dictionary-initialized',
  'spellcheck-dictionary-download-begin',
  'spellcheck-dictionary-download-success',
  'spellcheck-dictionary-download-failure',
  'select-serial-port',
  // Not an event: a decision of the displayMedia handler
  // (lib/fields/displayMedia.js), which source a getDisplayMedia() got.
  'display-media-request',
  'serial-port-added',
  'serial-port-removed',
  'serial-port-revoked',
  'hid-device-added',
  'hid-device-removed',
  'hid-device-revoked',
  'usb-device-added',
  'usb-device-removed',
  'usb-device-revoked',
  // Not a Session event: a WebContents' `preload-error`, recorded for the
  // partition of its session when the app passes the WebContents to
  // Adapter.observeWebContents.
  'preload-error',
]);

/** @typedef {typeof EVENT_NAMES[number]} EventName */

/** Default and bounds of the number of entries kept (option `eventLimit`). */
const DEFAULT_EVENT_LIMIT = 50;
const MAX_EVENT_LIMIT = 1000;
/** Longest string kept in an entry's details; longer ones are cut and end with "…". */
const MAX_STRING = 1024;
/** Most entries of a list kept in an entry's details. */
const MAX_LIST = 32;

/**
 * A detail value: what Electron passed, reduced to JSON scalars and short
 * lists of strings.
 * @typedef {string|number|boolean|null|string[]} DetailValue
 */

/**
 * One recorded event.
 * @typedef {object} EventEntry
 * @property {number} seq 1 for the first event of this app process and partition, then +1 (counts reset when the app restarts; `pid` tells processes apart).
 * @property {string} at RFC 3339 UTC time the event was recorded.
 * @property {EventName} event the Session event's name.
 * @property {Record<string, DetailValue>} details the event's arguments (see docs/electron-adapter.md "Events").
 */

/**
 * The status file's `events` member.
 * @typedef {object} EventsStatus
 * @property {number} limit the most entries `recent` holds.
 * @property {number} total events recorded since the app started (the last `seq`).
 * @property {number} dropped entries recorded but no longer in `recent`.
 * @property {Record<EventName, number>} counts per event, since the app started; every event is present.
 * @property {EventEntry[]} recent the last entries, oldest first.
 */

/**
 * @param {unknown} v
 * @returns {string}
 */
function cut(v) {
  const s = typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
  return s.length > MAX_STRING ? s.slice(0, MAX_STRING - 1) + '…' : s;
}

/**
 * @param {number|undefined} n
 * @returns {number}
 */
function clampLimit(n) {
  if (n === undefined || !Number.isFinite(n)) return DEFAULT_EVENT_LIMIT;
  return Math.max(0, Math.min(MAX_EVENT_LIMIT, Math.floor(n)));
}

/**
 * The bounded event log of one partition.
 */
class EventLog {
  /**
   * @param {number} [limit] entries kept; default 50, at most 1000.
   * @param {(entry: EventEntry) => void} [onRecord] called after each entry is recorded.
   */
  constructor(limit, onRecord) {
    this.limit = clampLimit(limit);
    this.onRecord = onRecord || (() => {});
    this.total = 0;
    /** @type {Record<EventName, number>} */
    this.counts = /** @type {Record<EventName, number>} */ (Object.fromEntries(EVENT_NAMES.map((n) => [n, 0])));
    /** @type {EventEntry[]} */
    this.recent = [];
  }

  /**
   * Records one event. Never throws.
   * @param {EventName} event
   * @param {Record<string, unknown>} details
   * @returns {EventEntry}
   */
  record(event, details) {
    this.total++;
    this.counts[event] = (this.counts[event] || 0) + 1;
    /** @type {Record<string, DetailValue>} */
    const d = {};
    for (const [k, v] of Object.entries(details)) {
      if (typeof v === 'number' || typeof v === 'boolean' || v === null) d[k] = Number.isFinite(v) || typeof v !== 'number' ? v : null;
      else if (Array.isArray(v)) d[k] = v.slice(0, MAX_LIST).map(cut);
      else d[k] = cut(v);
    }
    /** @type {EventEntry} */
    const entry = { seq: this.total, at: new Date().toISOString(), event, details: d };
    this.recent.push(entry);
    if (this.recent.length > this.limit) this.recent.splice(0, this.recent.length - this.limit);
    try {
      this.onRecord(entry);
    } catch {
      // The sink (a status write) reports its own problems.
    }
    return entry;
  }

  /** @returns {EventsStatus} */
  toStatus() {
    return {
      limit: this.limit,
      total: this.total,
      dropped: this.total - this.recent.length,
      counts: { ...this.counts },
      recent: this.recent.map((e) => ({ ...e, details: { ...e.details } })),
    };
  }
}

/**
 * The `events` member of a partition with no session yet.
 * @param {number} [limit]
 * @returns {EventsStatus}
 */
function noEvents(limit) {
  return new EventLog(limit).toStatus();
}

/**
 * Runs a getter of an Electron object, or gives null when it throws.
 * @template T
 * @param {() => T} fn
 * @returns {T|null}
 */
function get(fn) {
  try {
    return fn();
  } catch {
    return null;
  }
}

/**
 * @param {Electron.Extension} x
 */
function extensionDetails(x) {
  return { id: get(() => x.id), name: get(() => x.name), version: get(() => x.version), path: get(() => x.path) };
}

/**
 * @param {Electron.SerialPort} p
 */
function portDetails(p) {
  return {
    port_id: get(() => p.portId), port_name: get(() => p.portName), display_name: get(() => p.displayName ?? null),
    vendor_id: get(() => p.vendorId ?? null), product_id: get(() => p.productId ?? null),
    serial_number: get(() => p.serialNumber ?? null),
  };
}

/**
 * @param {Electron.HIDDevice} d
 */
function hidDetails(d) {
  return {
    device_id: get(() => d.deviceId), name: get(() => d.name), vendor_id: get(() => d.vendorId),
    product_id: get(() => d.productId), serial_number: get(() => d.serialNumber ?? null),
  };
}

/**
 * @param {Electron.USBDevice} d
 */
function usbDetails(d) {
  return {
    device_id: get(() => d.deviceId), product_name: get(() => d.productName ?? null),
    manufacturer_name: get(() => d.manufacturerName ?? null), vendor_id: get(() => d.vendorId),
    product_id: get(() => d.productId), serial_number: get(() => d.serialNumber ?? null),
  };
}

/**
 * Sessions whose `will-download` events lib/fields/downloads.js records, with
 * the decision its listener took; observeSession leaves them out.
 * @type {WeakSet<object>}
 */
const DECIDED_DOWNLOADS = new WeakSet();

/**
 * The details of a `will-download` entry: what the DownloadItem says.
 * @param {Electron.DownloadItem} item
 * @returns {Record<string, unknown>}
 */
function downloadDetails(item) {
  return {
    url: get(() => item.getURL()), filename: get(() => item.getFilename()),
    mime_type: get(() => item.getMimeType()), total_bytes: get(() => item.getTotalBytes()),
  };
}

/**
 * Listens to the session's events (all but select-serial-port, see above)
 * and records them in log. The listeners only read their arguments: they
 * never call preventDefault, so Electron's and the app's handling is
 * unchanged. Returns the function that removes them.
 * @param {SessionLike} ses
 * @param {EventLog} log
 * @returns {() => void}
 */
function observeSession(ses, log) {
  /** @type {Array<() => void>} */
  const undo = [];
  /** @param {() => () => void} subscribe returns its unsubscribe. */
  const guard = (subscribe) => {
    try {
      undo.push(subscribe());
    } catch {
      // A session that cannot be observed still gets its settings.
    }
  };
  /** @type {(e: Electron.Event, item: Electron.DownloadItem) => void} */
  const download = (_e, item) => {
    // A partition with a downloads table records its downloads itself,
    // with the decision (lib/fields/downloads.js): one entry per download.
    if (DECIDED_DOWNLOADS.has(ses)) return;
    log.record('will-download', downloadDetails(item));
  };
  /** @param {EventName} name */
  const ext = (name) => /** @type {(e: Electron.Event, x: Electron.Extension) => void} */ ((_e, x) => log.record(name, extensionDetails(x)));
  /** @param {EventName} name */
  const dict = (name) => /** @type {(e: Electron.Event, languageCode: string) => void} */ ((_e, language) => log.record(name, { language }));
  /** @param {EventName} name */
  const port = (name) => /** @type {(e: Electron.Event, p: Electron.SerialPort) => void} */ ((_e, p) => log.record(name, portDetails(p)));
  /** @type {(e: Electron.Event, url: string, allowCredentials: boolean) => void} */
  const preconnect = (_e, url, allowCredentials) => log.record('preconnect', { url, allow_credentials: allowCredentials === true });

  // One subscription per event: Session's `on` is overloaded per event
  // name, so each line is checked against its electron.d.ts listener type.
  const l1 = download;
  guard(() => (ses.on('will-download', l1), () => ses.removeListener('will-download', l1)));
  const l2 = ext('extension-loaded');
  guard(() => (ses.on('extension-loaded', l2), () => ses.removeListener('extension-loaded', l2)));
  const l3 = ext('extension-unloaded');
  guard(() => (ses.on('extension-unloaded', l3), () => ses.removeListener('extension-unloaded', l3)));
  const l4 = ext('extension-ready');
  guard(() => (ses.on('extension-ready', l4), () => ses.removeListener('extension-ready', l4)));
  const l5 = preconnect;
  guard(() => (ses.on('preconnect', l5), () => ses.removeListener('preconnect', l5)));
  const l6 = dict('spellcheck-dictionary-initialized');
  guard(() => (ses.on('spellcheck-dictionary-initialized', l6), () => ses.removeListener('spellcheck-dictionary-initialized', l6)));
  const l7 = dict('spellcheck-dictionary-download-begin');
  guard(() => (ses.on('spellcheck-dictionary-download-begin', l7), () => ses.removeListener('spellcheck-dictionary-download-begin', l7)));
  const l8 = dict('spellcheck-dictionary-download-success');
  guard(() => (ses.on('spellcheck-dictionary-download-success', l8), () => ses.removeListener('spellcheck-dictionary-download-success', l8)));
  const l9 = dict('spellcheck-dictionary-download-failure');
  guard(() => (ses.on('spellcheck-dictionary-download-failure', l9), () => ses.removeListener('spellcheck-dictionary-download-failure', l9)));
  const l10 = port('serial-port-added');
  guard(() => (ses.on('serial-port-added', l10), () => ses.removeListener('serial-port-added', l10)));
  const l11 = port('serial-port-removed');
  guard(() => (ses.on('serial-port-removed', l11), () => ses.removeListener('serial-port-removed', l11)));
  // Device notifications (WebSerial, WebHID, WebUSB): observed only; the
  // choosers (select-hid-device, select-usb-device) are left to the app.
  /** @type {(e: Electron.Event, d: Electron.SerialPortRevokedDetails) => void} */
  const l12 = (_e, d) => log.record('serial-port-revoked', { ...portDetails(get(() => d.port) || /** @type {Electron.SerialPort} */ ({})), origin: get(() => d.origin) });
  guard(() => (ses.on('serial-port-revoked', l12), () => ses.removeListener('serial-port-revoked', l12)));
  /** @param {EventName} name */
  const hid = (name) => /** @type {(e: Electron.Event, d: {device: Electron.HIDDevice, origin?: string}) => void} */ ((_e, d) => {
    const origin = get(() => d.origin);
    log.record(name, { ...hidDetails(get(() => d.device) || /** @type {Electron.HIDDevice} */ ({})), ...(origin === undefined ? {} : { origin }) });
  });
  const l13 = hid('hid-device-added');
  guard(() => (ses.on('hid-device-added', l13), () => ses.removeListener('hid-device-added', l13)));
  const l14 = hid('hid-device-removed');
  guard(() => (ses.on('hid-device-removed', l14), () => ses.removeListener('hid-device-removed', l14)));
  const l15 = hid('hid-device-revoked');
  guard(() => (ses.on('hid-device-revoked', l15), () => ses.removeListener('hid-device-revoked', l15)));
  /** @param {EventName} name */
  const usb = (name) => /** @type {(e: Electron.Event, d: Electron.USBDevice) => void} */ ((_e, d) => log.record(name, usbDetails(d || /** @type {Electron.USBDevice} */ ({}))));
  const l16 = usb('usb-device-added');
  guard(() => (ses.on('usb-device-added', l16), () => ses.removeListener('usb-device-added', l16)));
  const l17 = usb('usb-device-removed');
  guard(() => (ses.on('usb-device-removed', l17), () => ses.removeListener('usb-device-removed', l17)));
  /** @type {(e: Electron.Event, d: Electron.UsbDeviceRevokedDetails) => void} */
  const l18 = (_e, d) => log.record('usb-device-revoked', { ...usbDetails(get(() => d.device) || /** @type {Electron.USBDevice} */ ({})), origin: get(() => d.origin ?? null) });
  guard(() => (ses.on('usb-device-revoked', l18), () => ses.removeListener('usb-device-revoked', l18)));
  return () => {
    for (const u of undo) {
      try {
        u();
      } catch {
        // Nothing to do: the partition is gone.
      }
    }
  };
}

module.exports = {
  EVENT_NAMES, DEFAULT_EVENT_LIMIT, MAX_EVENT_LIMIT, MAX_STRING, MAX_LIST,
  EventLog, noEvents, observeSession, portDetails, downloadDetails, DECIDED_DOWNLOADS,
};
