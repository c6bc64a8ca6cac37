// @ts-check
'use strict';

// Type declarations only (JSDoc, checked by `tsc --noEmit`): the subset of
// Electron's API the adapter uses, taken from the official `electron`
// package's definitions so that every call matches the real signature.

/**
 * The Session methods the adapter calls. A real `Electron.Session` is one;
 * the recording session of the tests implements exactly this. The getters
 * after `setCertificateVerifyProc` are the read-backs of lib/readback.js.
 * @typedef {Pick<import('electron').Session,
 *   'setProxy' | 'closeAllConnections' | 'setSSLConfig' | 'setUserAgent' | 'getUserAgent' |
 *   'setDownloadPath' | 'registerPreloadScript' | 'unregisterPreloadScript' | 'getPreloadScripts' |
 *   'setPreloads' | 'setSpellCheckerEnabled' | 'isSpellCheckerEnabled' | 'setSpellCheckerLanguages' |
 *   'getSpellCheckerLanguages' | 'setSpellCheckerDictionaryDownloadURL' |
 *   'listWordsInSpellCheckerDictionary' | 'addWordToSpellCheckerDictionary' |
 *   'removeWordFromSpellCheckerDictionary' | 'enableNetworkEmulation' | 'disableNetworkEmulation' |
 *   'allowNTLMCredentialsForDomains' | 'preconnect' | 'setPermissionRequestHandler' |
 *   'setPermissionCheckHandler' | 'setCertificateVerifyProc' | 'setDisplayMediaRequestHandler' | 'forceReloadProxyConfig' |
 *   'setDevicePermissionHandler' | 'setBluetoothPairingHandler' |
 *   'clearHostResolverCache' | 'clearAuthCache' | 'clearCache' | 'clearStorageData' | 'flushStorageData' |
 *   'getCacheSize' | 'downloadURL' | 'getPreloads' | 'isPersistent' | 'getStoragePath' | 'availableSpellCheckerLanguages'>
 *   & SessionEvents & {readonly extensions?: ExtensionsLike, readonly serviceWorkers?: ServiceWorkersLike, readonly netLog: NetLogLike}
 *   & {readonly webRequest?: WebRequestLike}
 *   & {readonly cookies: CookiesLike}} SessionLike
 */

/**
 * `ses.webRequest`: the two listeners the web_request family installs
 * (lib/fields/webRequest.js), typed by electron.d.ts.
 * @typedef {Pick<import('electron').WebRequest, 'onBeforeRequest' | 'onBeforeSendHeaders'>} WebRequestLike
 */

/**
 * `ses.cookies`: the cookies family sets, reads back and removes the cookies
 * it declares (lib/fields/cookies.js).
 * @typedef {Pick<import('electron').Cookies, 'set' | 'get' | 'remove'>} CookiesLike
 */

/**
 * `ses.netLog`: the adapter starts and stops captures for `sessctl action
 * PARTITION net-log start|stop`.
 * @typedef {Pick<import('electron').NetLog, 'startLogging' | 'stopLogging'>} NetLogLike
 */

/**
 * The listener of Session's `select-serial-port` event, as electron.d.ts
 * declares it.
 * @typedef {(event: Electron.Event, portList: Electron.SerialPort[], webContents: Electron.WebContents, callback: (portId: string) => void) => void} SerialListener
 */

/**
 * The Session events the adapter listens to (lib/events.js records them;
 * lib/fields/serialRules.js answers select-serial-port), with the listener
 * types of electron.d.ts. Session's `on` is overloaded per event; a real
 * Session matches each overload (see sessionIsSessionLike below).
 * @typedef {{
 *   (event: 'select-serial-port', listener: SerialListener): unknown;
 *   (event: 'will-download', listener: (event: Electron.Event, item: Electron.DownloadItem, webContents: Electron.WebContents) => void): unknown;
 *   (event: 'extension-loaded', listener: (event: Electron.Event, extension: Electron.Extension) => void): unknown;
 *   (event: 'extension-unloaded', listener: (event: Electron.Event, extension: Electron.Extension) => void): unknown;
 *   (event: 'extension-ready', listener: (event: Electron.Event, extension: Electron.Extension) => void): unknown;
 *   (event: 'preconnect', listener: (event: Electron.Event, preconnectUrl: string, allowCredentials: boolean) => void): unknown;
 *   (event: 'spellcheck-dictionary-initialized', listener: (event: Electron.Event, languageCode: string) => void): unknown;
 *   (event: 'spellcheck-dictionary-download-begin', listener: (event: Electron.Event, languageCode: string) => void): unknown;
 *   (event: 'spellcheck-dictionary-download-success', listener: (event: Electron.Event, languageCode: string) => void): unknown;
 *   (event: 'spellcheck-dictionary-download-failure', listener: (event: Electron.Event, languageCode: string) => void): unknown;
 *   (event: 'serial-port-added', listener: (event: Electron.Event, port: Electron.SerialPort, webContents: Electron.WebContents) => void): unknown;
 *   (event: 'serial-port-removed', listener: (event: Electron.Event, port: Electron.SerialPort, webContents: Electron.WebContents) => void): unknown;
 *   (event: 'serial-port-revoked', listener: (event: Electron.Event, details: Electron.SerialPortRevokedDetails) => void): unknown;
 *   (event: 'hid-device-added', listener: (event: Electron.Event, details: Electron.HidDeviceAddedDetails) => void): unknown;
 *   (event: 'hid-device-removed', listener: (event: Electron.Event, details: Electron.HidDeviceRemovedDetails) => void): unknown;
 *   (event: 'hid-device-revoked', listener: (event: Electron.Event, details: Electron.HidDeviceRevokedDetails) => void): unknown;
 *   (event: 'usb-device-added', listener: (event: Electron.Event, device: Electron.USBDevice, webContents: Electron.WebContents) => void): unknown;
 *   (event: 'usb-device-removed', listener: (event: Electron.Event, device: Electron.USBDevice, webContents: Electron.WebContents) => void): unknown;
 *   (event: 'usb-device-revoked', listener: (event: Electron.Event, details: Electron.UsbDeviceRevokedDetails) => void): unknown;
 *   (event: 'select-hid-device', listener: HidChooserListener): unknown;
 *   (event: 'select-usb-device', listener: UsbChooserListener): unknown;
 * }} SessionListen
 */

/**
 * @typedef {object} SessionEvents
 * @property {SessionListen} on
 * @property {SessionListen} removeListener
 */

/**
 * The part of a WebContents the adapter uses to record preload errors
 * (Adapter.observeWebContents): its session, to find the partition, and
 * the `preload-error` event (a preload script threw).
 * @typedef {object} WebContentsLike
 * @property {object} session
 * @property {(event: 'preload-error', listener: (event: Electron.Event, preloadPath: string, error: Error) => void) => unknown} on
 */

/**
 * `ses.serviceWorkers`: only the read-back of running workers.
 * @typedef {Pick<import('electron').ServiceWorkers, 'getAllRunning'>} ServiceWorkersLike
 */

/**
 * `ses.extensions` (Electron 36+; the same methods were on the session
 * before, and still are, deprecated).
 * @typedef {Pick<import('electron').Extensions, 'loadExtension' | 'removeExtension' | 'getAllExtensions' | 'getExtension'>} ExtensionsLike
 */

/**
 * The part of Electron's `session` module the adapter needs: pass
 * `require('electron').session`.
 * @typedef {object} SessionModule
 * @property {(partition: string, options?: import('electron').FromPartitionOptions) => SessionLike} fromPartition
 * @property {SessionLike} defaultSession
 */

/**
 * Electron's `desktopCapturer` module (main process), which the
 * displayMedia handler asks for the screens and windows it may grant.
 * @typedef {Pick<import('electron').DesktopCapturer, 'getSources'>} DesktopCapturerLike
 */

/**
 * The handler of `ses.setDisplayMediaRequestHandler`, as electron.d.ts
 * declares it.
 * @typedef {Exclude<Parameters<import('electron').Session['setDisplayMediaRequestHandler']>[0], null>} DisplayMediaHandler
 */

/**
 * The handlers and listeners the devices entry installs (lib/fields/devices.js),
 * as electron.d.ts declares them.
 * @typedef {Exclude<Parameters<import('electron').Session['setDevicePermissionHandler']>[0], null>} DevicePermissionHandler
 * @typedef {Exclude<Parameters<import('electron').Session['setBluetoothPairingHandler']>[0], null>} BluetoothPairingHandler
 * @typedef {(event: Electron.Event, details: Electron.SelectHidDeviceDetails, callback: (deviceId?: string | null) => void) => void} HidChooserListener
 * @typedef {(event: Electron.Event, details: Electron.SelectUsbDeviceDetails, callback: (deviceId?: string) => void) => void} UsbChooserListener
 */

/**
 * One field Electron refused, with Electron's own message.
 * @typedef {object} FieldError
 * @property {string} field profile field, e.g. "spellChecker".
 * @property {string|null} call the Electron method that failed, null when the adapter refused the value itself.
 * @property {string} message
 */

/**
 * An extension the adapter loaded and Electron reports as loaded.
 * @typedef {object} LoadedExtension
 * @property {string} name profile name of the extension block.
 * @property {string} id
 * @property {string} version
 * @property {string} path
 */

/**
 * Never called: makes tsc prove that a real Electron Session and session
 * module are accepted where the adapter takes a SessionLike and a
 * SessionModule.
 * @param {Electron.Session} ses
 * @param {typeof import('electron').session} mod
 * @param {Electron.WebContents} wc
 * @param {typeof import('electron').desktopCapturer} dc
 * @returns {[SessionLike, SessionModule, WebContentsLike, DesktopCapturerLike]}
 */
function sessionIsSessionLike(ses, mod, wc, dc) {
  return [ses, mod, wc, dc];
}
void sessionIsSessionLike;

module.exports = {};
