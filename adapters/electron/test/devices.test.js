// @ts-check
'use strict';

// The devices entry: the device permission handler, the HID and USB
// chooser listeners and the Bluetooth pairing handler it installs, called
// with the arguments Electron passes (session.md, electron.d.ts), what it
// does with a table it cannot read, and when the field leaves the profile.

const { it, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');

const { Adapter } = require('..');
const { FakeSessionModule } = require('./fake-session');
const { writeDir, tempDir } = require('./helpers');

/** @type {Array<() => void>} */
const cleanup = [];
afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

const LOGIN = { source: 'https://login.corp.example', scheme: 'https', host: 'login.corp.example', subdomains: false, port: '*' };
const LAB = { source: 'https://lab.corp.example', scheme: 'https', host: 'lab.corp.example', subdomains: false, port: '*' };
const TABLE = {
  formatVersion: 1,
  hid: [{ name: 'fido', action: 'allow', origins: [LOGIN], vendorId: 4176, usagePage: 61904 }],
  usb: [{ name: 'scanner', action: 'allow', origins: [LOGIN], vendorId: 1208, serialNumber: 'SN1' }],
  serial: [{ name: 'arduino', action: 'allow', origins: [LAB], vendorId: 9025, productId: 67 }],
  bluetooth: [{ name: 'pair', action: 'confirm', origins: [LOGIN], pairingKinds: ['confirm', 'confirmPin'] }],
};
const FIDO = { deviceId: 'yk', name: 'YubiKey', vendorId: 4176, productId: 1031, guid: 'g', collections: [{ usage: 1, usagePage: 61904, type: 1, children: [], inputReports: [], outputReports: [], featureReports: [] }] };

/** @param {Record<string, unknown>} fields */
async function setup(fields) {
  const dir = tempDir();
  writeDir(dir, [{ partition: 'persist:d', revision: 1, fields }]);
  const mod = new FakeSessionModule();
  const adapter = new Adapter({ dir, session: mod });
  cleanup.push(() => {
    adapter.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await adapter.sync();
  return { dir, ses: mod.get('persist:d'), adapter };
}

/**
 * Emits a chooser event as Electron does and returns what the listener
 * called back with (the arguments array) and whether it prevented the
 * default.
 * @param {any} ses
 * @param {'select-hid-device'|'select-usb-device'} event
 * @param {unknown} frame
 * @param {unknown[]} deviceList
 */
function choose(ses, event, frame, deviceList) {
  /** @type {unknown[][]} */
  const answers = [];
  const ev = ses.emit(event, { deviceList, frame }, (/** @type {unknown[]} */ ...args) => answers.push(args));
  return { answers, prevented: ev.defaultPrevented };
}

it('installs the device permission handler, both choosers and the pairing handler', async () => {
  const { ses, adapter } = await setup({ devices: TABLE });
  assert.deepEqual(adapter.status('persist:d')?.errors, []);
  assert.deepEqual(ses.calls.map((/** @type {any} */ c) => [c.method, c.args]), [
    ['setDevicePermissionHandler', ['function']],
    ['on', ['select-hid-device']],
    ['on', ['select-usb-device']],
    ['setBluetoothPairingHandler', ['function']],
  ]);
  const h = /** @type {(details: unknown) => boolean} */ (ses.devicePermissionHandler);
  assert.equal(h({ deviceType: 'hid', origin: 'https://login.corp.example', device: FIDO }), true);
  assert.equal(h({ deviceType: 'hid', origin: 'https://evil.example', device: FIDO }), false);
  assert.equal(h({ deviceType: 'usb', origin: 'https://login.corp.example', device: { deviceId: 'u', vendorId: 1208, productId: 1, serialNumber: 'SN1' } }), true);
  assert.equal(h({ deviceType: 'usb', origin: 'https://login.corp.example', device: { deviceId: 'u', vendorId: 1208, productId: 1 } }), false);
  // The serial device is PortInfoToValue's value (serial_chooser_context.cc).
  assert.equal(h({ deviceType: 'serial', origin: 'https://lab.corp.example', device: { name: 'ttyACM0', vendor_id: 9025, product_id: 67, serial_number: 'A1' } }), true);
  assert.equal(h({ deviceType: 'serial', origin: 'https://lab.corp.example', device: { portId: 'x', vendorId: '9025', productId: '67' } }), false);
  // Hostile input never throws out of the handler.
  assert.equal(h(/** @type {any} */ (null)), false);
  assert.equal(h(/** @type {any} */ ({ deviceType: 'hid', origin: 5, device: { collections: 'x' } })), false);
});

it('the HID chooser calls back with the first allowed device of the frame origin, or with nothing', async () => {
  const { ses } = await setup({ devices: TABLE });
  const kbd = { ...FIDO, deviceId: 'kbd', collections: [{ ...FIDO.collections[0], usagePage: 1 }] };
  let r = choose(ses, 'select-hid-device', { origin: 'https://login.corp.example' }, [kbd, FIDO]);
  assert.equal(r.prevented, true);
  assert.deepEqual(r.answers, [['yk']]);
  r = choose(ses, 'select-hid-device', { origin: 'https://evil.example' }, [FIDO]);
  assert.deepEqual(r.answers, [[]], 'no argument cancels');
  r = choose(ses, 'select-hid-device', null, [FIDO]);
  assert.deepEqual(r.answers, [[]], 'a gone frame cancels');
  const destroyed = { get origin() { throw new Error('Render frame was disposed before WebFrameMain could be accessed'); } };
  r = choose(ses, 'select-hid-device', destroyed, [FIDO]);
  assert.deepEqual(r.answers, [[]]);
});

it('the USB chooser calls back with the allowed device', async () => {
  const { ses } = await setup({ devices: TABLE });
  const r = choose(ses, 'select-usb-device', { origin: 'https://login.corp.example' }, [
    { deviceId: 'a', vendorId: 1208, productId: 1, serialNumber: 'SN2' },
    { deviceId: 'b', vendorId: 1208, productId: 1, serialNumber: 'SN1' },
  ]);
  assert.equal(r.prevented, true);
  assert.deepEqual(r.answers, [['b']]);
});

it('the pairing handler confirms listed kinds for listed origins and never providePin', async () => {
  const { ses } = await setup({ devices: TABLE });
  /** @param {unknown} frame @param {string} pairingKind */
  const pair = (frame, pairingKind) => {
    /** @type {unknown[]} */
    const got = [];
    /** @type {any} */ (ses.bluetoothPairingHandler)({ deviceId: 'd', pairingKind, frame }, (/** @type {unknown} */ r) => got.push(r));
    return got;
  };
  assert.deepEqual(pair({ origin: 'https://login.corp.example' }, 'confirm'), [{ confirmed: true }]);
  assert.deepEqual(pair({ origin: 'https://login.corp.example' }, 'confirmPin'), [{ confirmed: true }]);
  assert.deepEqual(pair({ origin: 'https://login.corp.example' }, 'providePin'), [{ confirmed: false }]);
  assert.deepEqual(pair({ origin: 'https://evil.example' }, 'confirm'), [{ confirmed: false }]);
  assert.deepEqual(pair(null, 'confirm'), [{ confirmed: false }]);
});

it('sets no pairing handler without bluetooth rules, and clears its own when they go', async () => {
  const { dir, ses, adapter } = await setup({ devices: { ...TABLE, bluetooth: [] } });
  assert.equal(ses.calls.filter((/** @type {any} */ c) => c.method === 'setBluetoothPairingHandler').length, 0);
  writeDir(dir, [{ partition: 'persist:d', revision: 2, fields: { devices: TABLE } }]);
  await adapter.sync();
  writeDir(dir, [{ partition: 'persist:d', revision: 3, fields: { devices: { ...TABLE, bluetooth: [] } } }]);
  await adapter.sync();
  assert.deepEqual(ses.calls.filter((/** @type {any} */ c) => c.method === 'setBluetoothPairingHandler').map((/** @type {any} */ c) => c.args), [['function'], [null]]);
  assert.equal(ses.bluetoothPairingHandler, null);
  // One listener per chooser, however often the table changed.
  assert.equal((ses.listeners.get('select-hid-device') || []).length, 1);
  assert.equal((ses.listeners.get('select-usb-device') || []).length, 1);
});

it('refuses a table it cannot read; after a good one, denies everything instead', async () => {
  for (const bad of [
    { ...TABLE, formatVersion: 2 },
    { ...TABLE, hid: [{ ...TABLE.hid[0], productName: 'x' }] },
    { ...TABLE, usb: [{ ...TABLE.usb[0], usagePage: 1 }] },
    { ...TABLE, serial: [{ ...TABLE.serial[0], vendorId: '9025' }] },
    { ...TABLE, hid: [{ ...TABLE.hid[0], vendorId: 70000 }] },
    { ...TABLE, bluetooth: [{ ...TABLE.bluetooth[0], pairingKinds: ['Confirm'] }] },
    { ...TABLE, usb: 'all' },
  ]) {
    const { ses, adapter } = await setup({ devices: bad });
    const errs = adapter.status('persist:d')?.errors || [];
    assert.equal(errs.length, 1, JSON.stringify(bad));
    assert.equal(errs[0].field, 'devices');
    assert.equal(ses.devicePermissionHandler, null);
  }
  const { dir, ses, adapter } = await setup({ devices: TABLE });
  writeDir(dir, [{ partition: 'persist:d', revision: 2, fields: { devices: { ...TABLE, formatVersion: 9 } } }]);
  await adapter.sync();
  assert.match((adapter.status('persist:d')?.errors || [])[0].message, /denied until/);
  assert.equal(/** @type {any} */ (ses.devicePermissionHandler)({ deviceType: 'hid', origin: 'https://login.corp.example', device: FIDO }), false);
  assert.deepEqual(choose(ses, 'select-hid-device', { origin: 'https://login.corp.example' }, [FIDO]).answers, [[]]);
});

it('removes its handlers and listeners when the field leaves the profile', async () => {
  const { dir, ses, adapter } = await setup({ devices: TABLE });
  writeDir(dir, [{ partition: 'persist:d', revision: 2, fields: {} }]);
  await adapter.sync();
  assert.equal(ses.devicePermissionHandler, null);
  assert.equal(ses.bluetoothPairingHandler, null);
  assert.equal((ses.listeners.get('select-hid-device') || []).length, 0);
  assert.equal((ses.listeners.get('select-usb-device') || []).length, 0);
  // Without a listener Electron cancels (nothing prevents the default).
  assert.equal(choose(ses, 'select-hid-device', { origin: 'https://login.corp.example' }, [FIDO]).prevented, false);
});
