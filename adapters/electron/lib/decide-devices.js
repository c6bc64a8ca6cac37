// @ts-check
'use strict';

// The evaluation of the compiled `devices` table (docs/devices.md), the
// same as devices.Decide in Go (providers/devices/decide.go); both are run
// over providers/testdata/decisions.json. Devices are read as Electron
// hands them over, never trusted to have the documented shape: an
// HIDDevice or USBDevice has numeric vendorId/productId and an optional
// serialNumber (hid_chooser_context.cc, usb_chooser_context.cc
// DeviceInfoToValue); the serial device of setDevicePermissionHandler is
// serial_chooser_context.cc PortInfoToValue's value, with snake_case keys
// vendor_id, product_id, serial_number (electron.d.ts types it as a
// SerialPort, which it is not).

const { urlParts, originMatches } = require('./decide');

/** @typedef {import('./decide').OriginPattern} OriginPattern */

const DEVICES_FORMAT = 1;

/**
 * @typedef {object} DeviceRule
 * @property {string} name
 * @property {'allow'|'deny'} action
 * @property {OriginPattern[]|null} origins null matches every origin.
 * @property {number} [vendorId]
 * @property {number} [productId]
 * @property {string} [serialNumber]
 * @property {number} [usagePage] hid only.
 */

/**
 * @typedef {object} PairingRule
 * @property {string} name
 * @property {'confirm'|'deny'} action
 * @property {OriginPattern[]|null} origins
 * @property {string[]} pairingKinds
 */

/**
 * @typedef {object} DevicesTable
 * @property {number} formatVersion
 * @property {DeviceRule[]} hid
 * @property {DeviceRule[]} usb
 * @property {DeviceRule[]} serial
 * @property {PairingRule[]} bluetooth
 */

/**
 * @typedef {object} DeviceDecision
 * @property {boolean} allow
 * @property {string|null} rule name of the deciding rule, null when none matched.
 * @property {number} ruleIndex
 * @property {string|null} deviceId the selected device (selection only).
 * @property {number} deviceIndex
 * @property {'rule'|'deny-rule'|'default'|'no-device'|'no-handler'} reason
 */

/** @type {DeviceDecision} */
const NO_HANDLER = Object.freeze({ allow: false, rule: null, ruleIndex: -1, deviceId: null, deviceIndex: -1, reason: 'no-handler' });

/**
 * @param {unknown} v
 * @param {number|undefined} want
 */
function same(v, want) {
  return want === undefined || v === want;
}

/**
 * The rules of a device type.
 * @param {DevicesTable} table
 * @param {unknown} type
 * @returns {DeviceRule[]}
 */
function rulesOf(table, type) {
  if (type === 'hid') return table.hid;
  if (type === 'usb') return table.usb;
  if (type === 'serial') return table.serial;
  return [];
}

/**
 * Whether a rule's device conditions hold (origins are not looked at).
 * @param {DeviceRule} r
 * @param {unknown} type
 * @param {unknown} device
 */
function deviceMatches(r, type, device) {
  const d = /** @type {Record<string, unknown>} */ (typeof device === 'object' && device !== null ? device : {});
  const [vid, pid, sn] = type === 'serial' ? [d.vendor_id, d.product_id, d.serial_number] : [d.vendorId, d.productId, d.serialNumber];
  if (!same(vid, r.vendorId) || !same(pid, r.productId)) return false;
  if (r.serialNumber !== undefined && (typeof sn !== 'string' || sn !== r.serialNumber)) return false;
  if (r.usagePage !== undefined) {
    if (type !== 'hid' || !Array.isArray(d.collections)) return false;
    return d.collections.some((c) => typeof c === 'object' && c !== null && c.usagePage === r.usagePage);
  }
  return true;
}

/**
 * @param {OriginPattern[]|null} origins
 * @param {import('./decide').URLParts} u
 */
function originsMatch(origins, u) {
  return !Array.isArray(origins) || origins.some((o) => originMatches(o, u));
}

/**
 * A setDevicePermissionHandler call: the first rule of the type whose
 * origins and device conditions match decides; none denies.
 * @param {DevicesTable|null} table
 * @param {unknown} type details.deviceType
 * @param {unknown} origin details.origin
 * @param {unknown} device details.device
 * @returns {DeviceDecision}
 */
function devicePermission(table, type, origin, device) {
  if (table === null) return { ...NO_HANDLER };
  const u = urlParts(origin);
  const rules = rulesOf(table, type);
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (!originsMatch(r.origins, u) || !deviceMatches(r, type, device)) continue;
    const allow = r.action === 'allow';
    return { allow, rule: r.name, ruleIndex: i, deviceId: null, deviceIndex: -1, reason: allow ? 'rule' : 'deny-rule' };
  }
  return { allow: false, rule: null, ruleIndex: -1, deviceId: null, deviceIndex: -1, reason: 'default' };
}

/**
 * A select-hid-device or select-usb-device event: the first listed device
 * the rules allow for the frame's origin; none cancels.
 * @param {DevicesTable|null} table
 * @param {unknown} type
 * @param {unknown} origin details.frame.origin
 * @param {unknown} list details.deviceList
 * @returns {DeviceDecision}
 */
function selectDevice(table, type, origin, list) {
  if (table === null) return { ...NO_HANDLER };
  const devices = Array.isArray(list) ? list : [];
  for (let j = 0; j < devices.length; j++) {
    const d = devicePermission(table, type, origin, devices[j]);
    if (d.allow) {
      const id = devices[j] && devices[j].deviceId;
      return { ...d, deviceId: typeof id === 'string' ? id : null, deviceIndex: j };
    }
  }
  return { allow: false, rule: null, ruleIndex: -1, deviceId: null, deviceIndex: -1, reason: 'no-device' };
}

/**
 * A setBluetoothPairingHandler call: the first bluetooth rule whose
 * origins match and that lists the pairing kind decides; none denies.
 * providePin is never confirmed (sessctl holds no PINs).
 * @param {DevicesTable|null} table
 * @param {unknown} origin details.frame.origin
 * @param {unknown} kind details.pairingKind
 * @returns {DeviceDecision}
 */
function pairing(table, origin, kind) {
  if (table === null) return { ...NO_HANDLER };
  const u = urlParts(origin);
  for (let i = 0; i < table.bluetooth.length; i++) {
    const r = table.bluetooth[i];
    if (!originsMatch(r.origins, u) || typeof kind !== 'string' || !r.pairingKinds.includes(kind)) continue;
    const allow = r.action === 'confirm' && kind !== 'providePin';
    return { allow, rule: r.name, ruleIndex: i, deviceId: null, deviceIndex: -1, reason: allow ? 'rule' : 'deny-rule' };
  }
  return { allow: false, rule: null, ruleIndex: -1, deviceId: null, deviceIndex: -1, reason: 'default' };
}

/**
 * The vector file's request: {type, origin, device} (device permission),
 * {type, origin, deviceList} (selection) or {type: 'bluetooth', origin,
 * pairingKind}.
 * @param {DevicesTable|null} table
 * @param {{type: string, origin: string, device?: unknown, deviceList?: unknown, pairingKind?: string}} req
 * @returns {DeviceDecision}
 */
function decideDevice(table, req) {
  if (req.type === 'bluetooth') return pairing(table, req.origin, req.pairingKind);
  if (req.deviceList !== undefined) {
    if (req.type !== 'hid' && req.type !== 'usb') {
      // Serial selection belongs to the serial family.
      return table === null ? { ...NO_HANDLER } : { allow: false, rule: null, ruleIndex: -1, deviceId: null, deviceIndex: -1, reason: 'no-device' };
    }
    return selectDevice(table, req.type, req.origin, req.deviceList);
  }
  return devicePermission(table, req.type, req.origin, req.device);
}

module.exports = { DEVICES_FORMAT, devicePermission, selectDevice, pairing, decideDevice, deviceMatches };
