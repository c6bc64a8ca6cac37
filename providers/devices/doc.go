// Package devices is the "devices" setting family: rules by origin and
// USB vendor/product ID (and serial number, HID usage page) that the
// Electron adapter's setDevicePermissionHandler handler, its
// select-hid-device and select-usb-device listeners and its
// setBluetoothPairingHandler handler evaluate, denying whatever no rule
// allows. Compile validates the `devices {}` block into the "devices"
// profile field; Decide is the reference evaluation behind
// `sessctl check-device` (docs/devices.md).
package devices
