// @ts-check
'use strict';

// devices: the compiled devices table (docs/devices.md). This entry owns
// the session's device permission handler (setDevicePermissionHandler, one
// per session), its select-hid-device and select-usb-device listeners and,
// when the table has bluetooth rules, its Bluetooth pairing handler
// (setBluetoothPairingHandler, one per session). select-serial-port stays
// with serialRules. Every answer comes from lib/decide-devices.js, the
// evaluation `sessctl check-device` runs in Go.

const decideDevices = require('../decide-devices');
const { isObject } = require('../profile');
const { isOriginPattern } = require('../decide');
const { defineField } = require('../table');

/** @typedef {import('../table').ApplyContext} ApplyContext */
/** @typedef {import('../types').SessionLike} SessionLike */
/** @typedef {import('../types').DevicePermissionHandler} DevicePermissionHandler */
/** @typedef {import('../types').BluetoothPairingHandler} BluetoothPairingHandler */
/** @typedef {import('../types').HidChooserListener} HidChooserListener */
/** @typedef {import('../types').UsbChooserListener} UsbChooserListener */

/**
 * @typedef {object} State
 * @property {boolean} permission whether this adapter's device permission handler is in place.
 * @property {HidChooserListener|null} hid the select-hid-device listener this adapter added.
 * @property {UsbChooserListener|null} usb the select-usb-device listener this adapter added.
 * @property {boolean} bluetooth whether this adapter's pairing handler is in place.
 */

/** A table that denies everything, standing in for one that cannot be read. */
const DENY_ALL = Object.freeze({ formatVersion: decideDevices.DEVICES_FORMAT, hid: [], usb: [], serial: [], bluetooth: [] });

module.exports = defineField({
  field: 'devices',
  phase: 'policy',
  /** @returns {State} */
  state: () => ({ permission: false, hid: null, usb: null, bluetooth: false }),
  validate: checkDevicesTable,
  async invalid(ctx, state, problem) {
    if (state.permission) {
      // The previous handler might grant what the new profile no longer
      // allows: deny everything until the profile can be applied.
      ctx.refuse('devices', `${problem}; every device and pairing is denied until the profile can be applied`);
      await install(ctx, state, DENY_ALL);
      return;
    }
    ctx.refuse('devices', `${problem}; without a handler Electron keeps its own device grants and cancels the HID and USB choosers`);
  },
  async apply(ctx, state) {
    await install(ctx, state, /** @type {decideDevices.DevicesTable} */ (ctx.fields.devices));
  },
  async reset(ctx, state) {
    const ses = ctx.session;
    await ctx.call('devices', 'removeListener', () => removeListeners(ses, state));
    if (state.permission) {
      const r = await ctx.call('devices', 'setDevicePermissionHandler', () => ses.setDevicePermissionHandler(null));
      if (r.ok) state.permission = false;
    }
    if (state.bluetooth) {
      const r = await ctx.call('devices', 'setBluetoothPairingHandler', () => ses.setBluetoothPairingHandler(null));
      if (r.ok) state.bluetooth = false;
    }
  },
  detach: {
    run(ctx, state) {
      const ses = ctx.session;
      ctx.run('devices', 'removeListener', () => removeListeners(ses, state));
      if (state.permission) ctx.run('devices', 'setDevicePermissionHandler', () => ses.setDevicePermissionHandler(null));
      if (state.bluetooth) ctx.run('devices', 'setBluetoothPairingHandler', () => ses.setBluetoothPairingHandler(null));
      state.permission = false;
      state.bluetooth = false;
    },
  },
});

/**
 * The origin of the frame of a chooser event or pairing request: "" when
 * the frame is gone (details.frame is null, or its getter throws once the
 * frame is destroyed), which no origin pattern matches.
 * @param {unknown} details
 */
function frameOrigin(details) {
  try {
    const frame = isObject(details) ? details.frame : null;
    const origin = isObject(frame) ? frame.origin : '';
    return typeof origin === 'string' ? origin : '';
  } catch {
    return '';
  }
}

/**
 * Installs the handlers and listeners for a table.
 * @param {ApplyContext} ctx
 * @param {State} state
 * @param {decideDevices.DevicesTable} table
 */
async function install(ctx, state, table) {
  const ses = ctx.session;
  /** @type {DevicePermissionHandler} */
  const permission = (details) => {
    try {
      return decideDevices.devicePermission(table, details && details.deviceType, details && details.origin, details && details.device).allow;
    } catch {
      return false;
    }
  };
  /**
   * @param {'hid'|'usb'} type
   * @returns {(event: Electron.Event, details: unknown, callback: (deviceId?: string) => void) => void}
   */
  const chooser = (type) => (event, details, callback) => {
    // Without preventDefault Electron cancels the request at once
    // (hid_chooser_controller.cc, usb_chooser_controller.cc).
    event.preventDefault();
    /** @type {string|undefined} */
    let id;
    try {
      const list = isObject(details) ? details.deviceList : [];
      const d = decideDevices.selectDevice(table, type, frameOrigin(details), list);
      id = d.allow && d.deviceId ? d.deviceId : undefined;
    } catch {
      id = undefined;
    }
    try {
      // No argument cancels the request (session.md, select-hid-device).
      if (id === undefined) callback();
      else callback(id);
    } catch {
      // The frame went away: nothing to answer.
    }
  };
  /** @type {BluetoothPairingHandler} */
  const pairing = (details, callback) => {
    let confirmed = false;
    try {
      confirmed = decideDevices.pairing(table, frameOrigin(details), details && details.pairingKind).allow;
    } catch {
      confirmed = false;
    }
    try {
      // confirmed: false cancels the pairing (electron_bluetooth_delegate.cc).
      callback({ confirmed });
    } catch {
      // The frame went away.
    }
  };
  const r = await ctx.call('devices', 'setDevicePermissionHandler', () => ses.setDevicePermissionHandler(permission));
  if (r.ok) state.permission = true;
  await ctx.call('devices', 'removeListener', () => removeListeners(ses, state));
  /** @type {HidChooserListener} */
  const hid = chooser('hid');
  /** @type {UsbChooserListener} */
  const usb = chooser('usb');
  const rh = await ctx.call('devices', 'on', () => ses.on('select-hid-device', hid));
  if (rh.ok) state.hid = hid;
  const ru = await ctx.call('devices', 'on', () => ses.on('select-usb-device', usb));
  if (ru.ok) state.usb = usb;
  if (table.bluetooth.length > 0) {
    const rb = await ctx.call('devices', 'setBluetoothPairingHandler', () => ses.setBluetoothPairingHandler(pairing));
    if (rb.ok) state.bluetooth = true;
  } else if (state.bluetooth) {
    // Without a handler Electron cancels every pairing that needs an
    // answer, which is what a table without bluetooth rules decides.
    const rb = await ctx.call('devices', 'setBluetoothPairingHandler', () => ses.setBluetoothPairingHandler(null));
    if (rb.ok) state.bluetooth = false;
  }
}

/**
 * Removes the chooser listeners this adapter added, if any.
 * @param {SessionLike} ses
 * @param {State} state
 */
function removeListeners(ses, state) {
  if (state.hid) {
    ses.removeListener('select-hid-device', state.hid);
    state.hid = null;
  }
  if (state.usb) {
    ses.removeListener('select-usb-device', state.usb);
    state.usb = null;
  }
}

/**
 * @param {unknown} v
 * @param {boolean} optional
 */
function isID(v, optional) {
  return (optional && v === undefined) || (Number.isInteger(v) && /** @type {number} */ (v) >= 0 && /** @type {number} */ (v) <= 0xffff);
}

/**
 * @param {unknown} origins
 * @returns {boolean}
 */
function originsOK(origins) {
  return origins === null || (Array.isArray(origins) && origins.every(isOriginPattern));
}

/**
 * @param {unknown} t
 * @returns {string|null} why the table cannot be evaluated.
 */
function checkDevicesTable(t) {
  if (!isObject(t)) return 'devices is not an object';
  if (t.formatVersion !== decideDevices.DEVICES_FORMAT) {
    return `devices table has formatVersion ${JSON.stringify(t.formatVersion)}; this adapter knows ${decideDevices.DEVICES_FORMAT}: update @sessctl/electron`;
  }
  for (const type of ['hid', 'usb', 'serial']) {
    const rules = t[type];
    if (!Array.isArray(rules)) return `devices.${type} is not an array`;
    const known = ['name', 'action', 'origins', 'vendorId', 'productId', 'serialNumber', ...(type === 'hid' ? ['usagePage'] : [])];
    for (const [i, r] of rules.entries()) {
      const where = `devices.${type}[${i}]`;
      if (!isObject(r)) return `${where} is not an object`;
      // A member this adapter does not compare would widen the rule: refuse.
      const unknown = Object.keys(r).find((k) => !known.includes(k));
      if (unknown !== undefined) return `${where} has member ${JSON.stringify(unknown)}, which this adapter does not know: update @sessctl/electron`;
      if (typeof r.name !== 'string' || (r.action !== 'allow' && r.action !== 'deny')) return `${where} needs a name and an action "allow" or "deny"`;
      if (!originsOK(r.origins)) return `${where}.origins is not null or an array of origin patterns`;
      if (!isID(r.vendorId, true) || !isID(r.productId, true) || !isID(r.usagePage, true)) return `${where} has an ID that is not an integer from 0 to 65535`;
      if (r.serialNumber !== undefined && (typeof r.serialNumber !== 'string' || r.serialNumber === '')) return `${where}.serialNumber is not a non-empty string`;
    }
  }
  if (!Array.isArray(t.bluetooth)) return 'devices.bluetooth is not an array';
  for (const [i, r] of t.bluetooth.entries()) {
    const where = `devices.bluetooth[${i}]`;
    if (!isObject(r)) return `${where} is not an object`;
    const unknown = Object.keys(r).find((k) => !['name', 'action', 'origins', 'pairingKinds'].includes(k));
    if (unknown !== undefined) return `${where} has member ${JSON.stringify(unknown)}, which this adapter does not know: update @sessctl/electron`;
    if (typeof r.name !== 'string' || (r.action !== 'confirm' && r.action !== 'deny')) return `${where} needs a name and an action "confirm" or "deny"`;
    if (!originsOK(r.origins)) return `${where}.origins is not null or an array of origin patterns`;
    if (!Array.isArray(r.pairingKinds) || !r.pairingKinds.every((k) => k === 'confirm' || k === 'confirmPin' || k === 'providePin')) {
      return `${where}.pairingKinds must list "confirm", "confirmPin" or "providePin"`;
    }
  }
  return null;
}
