// @ts-check
'use strict';

// Type declarations only (JSDoc, checked by `tsc --noEmit`): the subset of
// Electron's API the adapter uses, taken from the official `electron`
// package's definitions so that every call matches the real signature.

/**
 * The Session methods the adapter calls. A real `Electron.Session` is one;
 * the recording session of the tests implements exactly this.
 * @typedef {Pick<import('electron').Session,
 *   'setProxy' | 'closeAllConnections' | 'setSSLConfig' | 'setUserAgent' | 'getUserAgent' |
 *   'setDownloadPath' | 'registerPreloadScript' | 'unregisterPreloadScript' | 'getPreloadScripts' |
 *   'setPreloads' | 'setSpellCheckerEnabled' | 'isSpellCheckerEnabled' | 'setSpellCheckerLanguages' |
 *   'getSpellCheckerLanguages' | 'setSpellCheckerDictionaryDownloadURL' |
 *   'listWordsInSpellCheckerDictionary' | 'addWordToSpellCheckerDictionary' |
 *   'removeWordFromSpellCheckerDictionary' | 'enableNetworkEmulation' | 'disableNetworkEmulation' |
 *   'allowNTLMCredentialsForDomains' | 'preconnect' | 'setPermissionRequestHandler' |
 *   'setPermissionCheckHandler' | 'setCertificateVerifyProc' | 'forceReloadProxyConfig' |
 *   'clearHostResolverCache' | 'clearAuthCache' | 'clearCache' | 'clearStorageData' | 'flushStorageData' |
 *   'getCacheSize' | 'downloadURL'>
 *   & SerialEvents & {readonly extensions?: ExtensionsLike, readonly netLog: NetLogLike}} SessionLike
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
 * The one event the adapter listens to. Session's `on` is overloaded per
 * event; a real Session matches this through its `select-serial-port`
 * overload (see sessionIsSessionLike below).
 * @typedef {object} SerialEvents
 * @property {(event: 'select-serial-port', listener: SerialListener) => unknown} on
 * @property {(event: 'select-serial-port', listener: SerialListener) => unknown} removeListener
 */

/**
 * `ses.extensions` (Electron 36+; the same methods were on the session
 * before, and still are, deprecated).
 * @typedef {Pick<import('electron').Extensions, 'loadExtension' | 'removeExtension' | 'getAllExtensions'>} ExtensionsLike
 */

/**
 * The part of Electron's `session` module the adapter needs: pass
 * `require('electron').session`.
 * @typedef {object} SessionModule
 * @property {(partition: string, options?: import('electron').FromPartitionOptions) => SessionLike} fromPartition
 * @property {SessionLike} defaultSession
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
 * @returns {[SessionLike, SessionModule]}
 */
function sessionIsSessionLike(ses, mod) {
  return [ses, mod];
}
void sessionIsSessionLike;

module.exports = {};
