// @ts-check
'use strict';

const crypto = require('crypto');
const path = require('path');

// Evaluators of the compiled tables sessctl writes into a profile:
// `permissions` (docs/permissions.md "Evaluation"), `certificateRules`
// (docs/certificates.md), `serialRules` (docs/serial.md), `displayMedia`
// (docs/display-media.md) and `downloads` (docs/downloads.md "Decision
// order"). The Go reference implementations are permission.Decide,
// certificate.Verify, serialsel.Select, displaymedia.Decide and
// downloads.Decide; providers/testdata/decisions.json holds the vectors both
// sides must agree on (test/decisions.test.js runs them here).
//
// These functions are pure and never throw on any input: a handler that
// throws inside Electron would leave a permission request unanswered.

/** Table format versions this adapter understands. */
const PERMISSIONS_FORMAT = 1;
const CERTIFICATES_FORMAT = 2;
/** Certificate table versions this adapter evaluates (2 adds rule conditions). */
const CERTIFICATES_FORMATS = [1, 2];
const SERIAL_FORMAT = 2;
/** Serial table versions this adapter evaluates (2 adds displayName, usbDriverName, deviceInstanceId). */
const SERIAL_FORMATS = [1, 2];
const DOWNLOADS_FORMAT = 1;
const DISPLAY_MEDIA_FORMAT = 1;

/**
 * @typedef {object} OriginPattern
 * @property {string} [source]
 * @property {string} scheme "*" or a lower-case scheme.
 * @property {string} host
 * @property {boolean} subdomains
 * @property {string} port digits, "*" or "" (file patterns).
 * @property {string} [path] file patterns only.
 */

/**
 * @typedef {object} URLPattern
 * @property {string} [source]
 * @property {string} scheme
 * @property {boolean} [anyUrl]
 * @property {string} [host]
 * @property {boolean} [subdomains]
 * @property {string} [port]
 * @property {string} [path]
 * @property {boolean} [pathPrefix]
 */

/**
 * @typedef {object} PermissionRule
 * @property {string} name
 * @property {'allow'|'deny'} decision
 * @property {string[]} handlers
 * @property {string[]|null} permissions
 * @property {OriginPattern[]|null} origins
 * @property {string[]|null} mediaTypes
 * @property {URLPattern[]|null} externalUrls
 * @property {boolean} mainFrameOnly
 */

/**
 * @typedef {object} PermissionTable
 * @property {number} formatVersion
 * @property {'allow'|'deny'} default
 * @property {PermissionRule[]} rules
 */

/**
 * One decision Electron asks for, as docs/permissions.md "Inputs" defines it.
 * @typedef {object} PermissionQuery
 * @property {'request'|'check'} handler
 * @property {string} permission
 * @property {string} origin details.requestingUrl (request) or requestingOrigin (check).
 * @property {string[]} [mediaTypes]
 * @property {string} [externalURL]
 * @property {boolean} isMainFrame
 */

/**
 * @typedef {object} PermissionDecision
 * @property {'allow'|'deny'} decision
 * @property {string|null} rule name of the deciding rule, null for defaults.
 * @property {number} ruleIndex -1 for defaults.
 * @property {'rule'|'default'|'electron-default'} source
 */

/**
 * @typedef {object} URLParts
 * @property {string} scheme
 * @property {string} host
 * @property {string} port
 * @property {string} path
 * @property {boolean} hierarchical
 */

/** @type {URLParts} */
const EMPTY_URL = Object.freeze({ scheme: '', host: '', port: '', path: '', hierarchical: false });

/**
 * Splits a URL the way docs/permissions.md "URL parts" says: WHATWG
 * `new URL()` (what Electron's main process has), empty parts when it
 * cannot be parsed, one trailing dot removed from the host.
 * @param {unknown} s
 * @returns {URLParts}
 */
function urlParts(s) {
  if (typeof s !== 'string') return EMPTY_URL;
  let u;
  try {
    u = new URL(s);
  } catch {
    return EMPTY_URL;
  }
  const scheme = u.protocol.endsWith(':') ? u.protocol.slice(0, -1) : u.protocol;
  let host = u.hostname;
  if (host.length > 1 && host.endsWith('.')) host = host.slice(0, -1);
  // "Hierarchical" is about the text: "//" right after "scheme:". The
  // scheme in the text may be upper case; its length is the same.
  const hierarchical = s.slice(scheme.length + 1, scheme.length + 3) === '//';
  return { scheme, host, port: u.port, path: u.pathname, hierarchical };
}

/**
 * GURL's inner_url() of a filesystem: URL, as far as Chromium's
 * ContentSettingsPattern::Matches reads it: "filesystem:https://h/temporary/x"
 * is matched as https://h/temporary/; a filesystem:file: URL's inner URL has
 * only the file system type as its path ("/temporary", crbug.com/568110).
 * A URL without an inner URL is returned as it is.
 * @param {URLParts} u
 * @returns {URLParts}
 */
function innerURL(u) {
  const inner = urlParts(u.path);
  if (inner.scheme === '' || inner.scheme === 'filesystem' || (!inner.hierarchical && inner.scheme !== 'file')) return u;
  if (inner.scheme !== 'file') return inner;
  const seg = inner.path.replace(/^\//, '').split('/')[0];
  return { ...inner, path: '/' + seg };
}

/**
 * Step 3 of the origin test: exact host, or with subdomains the host itself
 * and every name ending in "." + host ("" = any host).
 * @param {string} patternHost
 * @param {boolean} subdomains
 * @param {string} host
 */
function hostMatches(patternHost, subdomains, host) {
  if (!subdomains) return host === patternHost;
  return patternHost === '' || host === patternHost || host.endsWith('.' + patternHost);
}

/**
 * Step 4: "*" or the URL's port, where an absent port means 80 for http and
 * 443 for https (new URL drops those defaults) and "" for other schemes.
 * @param {string|undefined} patternPort
 * @param {URLParts} u
 */
function portMatches(patternPort, u) {
  if (patternPort === '*') return true;
  let p = u.port;
  if (p === '') p = u.scheme === 'http' ? '80' : u.scheme === 'https' ? '443' : '';
  return p === patternPort;
}

/**
 * @param {OriginPattern} o
 * @param {URLParts} u
 */
function originMatches(o, u) {
  if (u.scheme === 'filesystem') u = innerURL(u);
  if (o.scheme !== '*' && o.scheme !== u.scheme) return false;
  if (o.scheme !== '*' && u.scheme === 'file') return o.path === '*' || o.path === u.path;
  if (!hostMatches(o.host, o.subdomains, u.host)) return false;
  return portMatches(o.port, u);
}

/**
 * Whether a value has the shape of a compiled OriginPattern (what the
 * table checks of the fields refuse otherwise).
 * @param {unknown} o
 * @returns {o is OriginPattern}
 */
function isOriginPattern(o) {
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return false;
  const p = /** @type {Record<string, unknown>} */ (o);
  return typeof p.scheme === 'string' && typeof p.host === 'string' && typeof p.subdomains === 'boolean' &&
    typeof p.port === 'string' && (p.path === undefined || typeof p.path === 'string');
}

/**
 * @param {URLPattern} e
 * @param {URLParts} u
 */
function externalMatches(e, u) {
  if (e.scheme !== u.scheme) return false;
  if (e.anyUrl) return true;
  if (!u.hierarchical) return false;
  if (!hostMatches(e.host || '', e.subdomains || false, u.host)) return false;
  // An absent port stands for "" (the dropped default port of ws, wss and
  // ftp; docs/permissions.md "External URL object").
  if (!portMatches(e.port === undefined ? '' : e.port, u)) return false;
  if (e.path === undefined) return true;
  return e.pathPrefix ? u.path.startsWith(e.path) : u.path === e.path;
}

/**
 * @param {PermissionRule} rule
 * @param {PermissionQuery} q
 * @param {{origin?: URLParts, external?: URLParts}} cache parsed URLs, filled lazily.
 */
function ruleMatches(rule, q, cache) {
  if (!rule.handlers.includes(q.handler)) return false;
  if (rule.permissions !== null && !rule.permissions.includes(q.permission)) return false;
  if (rule.mainFrameOnly && !q.isMainFrame) return false;
  if (rule.mediaTypes !== null) {
    if (q.permission !== 'media') return false;
    const media = q.mediaTypes || [];
    const listed = rule.mediaTypes;
    // Allow rules need every requested type listed; deny rules match when
    // any requested type is listed (docs/permissions.md rule step 4).
    const ok = rule.decision === 'allow'
      ? media.every((m) => listed.includes(m))
      : media.some((m) => listed.includes(m));
    if (!ok) return false;
  }
  if (rule.externalUrls !== null) {
    if (q.permission !== 'openExternal') return false;
    const u = cache.external || (cache.external = urlParts(q.externalURL || ''));
    if (!rule.externalUrls.some((e) => externalMatches(e, u))) return false;
  }
  if (rule.origins !== null) {
    const u = cache.origin || (cache.origin = urlParts(q.origin));
    if (!rule.origins.some((o) => originMatches(o, u))) return false;
  }
  return true;
}

/**
 * Decides one permission query against a compiled table: the first rule
 * whose every condition holds, else the table default. A null table means
 * the partition has no permissions block, so no handler is installed and
 * Electron's own default applies: everything is granted except the
 * deprecated-sync-clipboard-read check (electron_permission_manager.cc).
 * @param {PermissionTable|null} table
 * @param {PermissionQuery} q
 * @returns {PermissionDecision}
 */
function decidePermission(table, q) {
  if (table === null) {
    const deny = q.handler === 'check' && q.permission === 'deprecated-sync-clipboard-read';
    return { decision: deny ? 'deny' : 'allow', rule: null, ruleIndex: -1, source: 'electron-default' };
  }
  /** @type {{origin?: URLParts, external?: URLParts}} */
  const cache = {};
  for (let i = 0; i < table.rules.length; i++) {
    const rule = table.rules[i];
    if (ruleMatches(rule, q, cache)) {
      return { decision: rule.decision === 'allow' ? 'allow' : 'deny', rule: rule.name, ruleIndex: i, source: 'rule' };
    }
  }
  return { decision: table.default === 'allow' ? 'allow' : 'deny', rule: null, ruleIndex: -1, source: 'default' };
}

/**
 * @typedef {object} CertificateRule
 * @property {string} pattern
 * @property {'any'|'exact'|'domain'|'subdomains'} match
 * @property {string} host
 * @property {string} verify
 * @property {number} code
 * @property {string[]} [pins] base64 SHA-256 SPKI hashes (format 2).
 * @property {string[]} [issuers] leaf issuer common names (format 2).
 * @property {boolean} [knownRoot] required isIssuedByKnownRoot (format 2).
 * @property {number[]} [errorCodes] accepted request.errorCode values (format 2).
 */

/**
 * What rule conditions test, from setCertificateVerifyProc's request (see
 * certificateRules.js, which computes spki).
 * @typedef {object} CertificateRequest
 * @property {string} hostname
 * @property {string[]} [spki] base64 SHA-256 SPKI hashes of the chain that counts.
 * @property {string} [issuerName]
 * @property {boolean} [isIssuedByKnownRoot]
 * @property {number} [errorCode]
 */

/**
 * @typedef {object} CertificateTable
 * @property {number} formatVersion
 * @property {number} defaultCode
 * @property {CertificateRule[]} rules
 */

/**
 * @typedef {object} CertificateDecision
 * @property {number} code the value for the verify proc's callback.
 * @property {string|null} rule the deciding rule's pattern.
 * @property {number} ruleIndex
 * @property {'rule'|'default'|'no-proc'} source
 * @property {{rule: string, ruleIndex: number}[]} [skipped] rules whose host
 *   matched but whose conditions did not hold.
 */

/** net::ERR_ABORTED: Electron's patch lets Chromium's own verification decide. */
const CODE_CHROMIUM = -3;

/**
 * Normalises request.hostname as docs/certificates.md and
 * certificate.NormalizeHostname do: ASCII lower case, surrounding brackets
 * removed, one trailing dot removed, IPv6 in RFC 5952 form (WHATWG's IPv6
 * serializer produces the same text, except that it rewrites IPv4-mapped
 * addresses, which Go leaves as written). Go lowercases with
 * strings.ToLower, which also folds non-ASCII letters; Chromium's
 * hostnames are canonical ASCII (punycode), where both agree.
 * @param {string} hostname
 */
function normalizeHostname(hostname) {
  let h = hostname.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  if (h.length > 2 && h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.length > 1 && h.endsWith('.')) h = h.slice(0, -1);
  if (!h.includes(':')) return h;
  let canon;
  try {
    canon = new URL('http://[' + h + ']/').hostname.slice(1, -1);
  } catch {
    return h; // not an IPv6 address (or has a zone): compared as written
  }
  if (/^::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}$/.test(canon)) return h;
  return canon;
}

/**
 * Decides the verify-proc callback code for a hostname: the first rule that
 * matches, else the table's default code; without a table no proc is
 * installed and Chromium decides (-3).
 * A rule with conditions (format 2) applies only when all of them hold.
 * @param {CertificateTable|null} table
 * @param {string|CertificateRequest} request the hostname, or the request.
 * @returns {CertificateDecision}
 */
function verifyCertificate(table, request) {
  if (table === null) return { code: CODE_CHROMIUM, rule: null, ruleIndex: -1, source: 'no-proc' };
  /** @type {CertificateRequest} */
  const req = typeof request === 'string' ? { hostname: request } : (request || { hostname: '' });
  const h = normalizeHostname(typeof req.hostname === 'string' ? req.hostname : '');
  const skipped = [];
  for (let i = 0; i < table.rules.length; i++) {
    const r = table.rules[i];
    const m = r.match === 'any' ||
      (r.match === 'exact' && h === r.host) ||
      (r.match === 'domain' && (h === r.host || h.endsWith('.' + r.host))) ||
      (r.match === 'subdomains' && h.endsWith('.' + r.host));
    if (!m) continue;
    if (!conditionsHold(r, req)) {
      skipped.push({ rule: r.pattern, ruleIndex: i });
      continue;
    }
    return { code: r.code, rule: r.pattern, ruleIndex: i, source: 'rule', skipped };
  }
  return { code: table.defaultCode, rule: null, ruleIndex: -1, source: 'default', skipped };
}

/**
 * @param {CertificateRule} r
 * @param {CertificateRequest} req
 */
function conditionsHold(r, req) {
  const spki = Array.isArray(req.spki) ? req.spki : [];
  if (Array.isArray(r.pins) && !r.pins.some((p) => spki.includes(p))) return false;
  if (Array.isArray(r.issuers) && !r.issuers.includes(typeof req.issuerName === 'string' ? req.issuerName : '')) return false;
  if (typeof r.knownRoot === 'boolean' && r.knownRoot !== (req.isIssuedByKnownRoot === true)) return false;
  const code = typeof req.errorCode === 'number' && Number.isInteger(req.errorCode) ? req.errorCode : 0;
  if (Array.isArray(r.errorCodes) && !r.errorCodes.includes(code)) return false;
  return true;
}

/**
 * @typedef {object} SerialRule
 * @property {string} [vendorId]
 * @property {string} [productId]
 * @property {string} [serialNumber]
 * @property {string} [portName]
 * @property {string} [displayName] format 2
 * @property {string} [usbDriverName] format 2
 * @property {string} [deviceInstanceId] format 2
 */

/**
 * @typedef {object} SerialTable
 * @property {number} formatVersion
 * @property {SerialRule[]} rules
 */

/**
 * @typedef {object} SerialDecision
 * @property {string} portId the callback argument; '' cancels.
 * @property {number} ruleIndex
 * @property {'rule'|'no-match'|'no-listener'} source
 */

/** @type {ReadonlyArray<'vendorId'|'productId'|'serialNumber'|'portName'|'displayName'|'usbDriverName'|'deviceInstanceId'>} */
const SERIAL_KEYS = ['vendorId', 'productId', 'serialNumber', 'portName', 'displayName', 'usbDriverName', 'deviceInstanceId'];

/**
 * Selects a port: rules in order, ports in list order; a rule matches when
 * every member it has equals the port's member of the same name (a port
 * without the member does not match).
 * @param {SerialTable|null} table
 * @param {ReadonlyArray<{portId: string, portName?: string, vendorId?: string, productId?: string, serialNumber?: string, displayName?: string, usbDriverName?: string, deviceInstanceId?: string}>} ports
 * @returns {SerialDecision}
 */
function selectSerialPort(table, ports) {
  if (table === null) return { portId: '', ruleIndex: -1, source: 'no-listener' };
  const list = Array.isArray(ports) ? ports : [];
  for (let i = 0; i < table.rules.length; i++) {
    const r = table.rules[i];
    for (const p of list) {
      if (SERIAL_KEYS.every((k) => r[k] === undefined || r[k] === '' || r[k] === p[k])) {
        return { portId: String(p.portId), ruleIndex: i, source: 'rule' };
      }
    }
  }
  return { portId: '', ruleIndex: -1, source: 'no-match' };
}

/**
 * The request fields rule conditions test. The SPKI hashes are those of
 * the chain Chromium verified (validatedCertificate and its issuers) when
 * its result is OK; otherwise only the leaf's: the server proved it holds
 * the leaf's key in the handshake, while the intermediates it sent are
 * unauthenticated when verification failed, and anyone can send a copy of
 * a public certificate. Hashes are computed only when a rule has pins.
 * @param {CertificateTable} table
 * @param {any} request Electron's setCertificateVerifyProc request.
 * @returns {CertificateRequest}
 */
function certificateRequest(table, request) {
  request = request || {};
  const errorCode = Number.isInteger(request.errorCode) ? request.errorCode : 0;
  const leaf = request.certificate;
  /** @type {string[]} */
  const spki = [];
  /** @type {CertificateRequest} */
  const req = {
    hostname: request.hostname,
    issuerName: leaf && typeof leaf.issuerName === 'string' ? leaf.issuerName : '',
    isIssuedByKnownRoot: request.isIssuedByKnownRoot === true,
    errorCode,
    spki,
  };
  if (!table.rules.some((r) => Array.isArray(r.pins))) return req;
  const chain = [];
  if (errorCode === 0) {
    for (let c = request.validatedCertificate || leaf, n = 0; c && n < 16; c = c.issuerCert, n++) chain.push(c);
  } else if (leaf) {
    chain.push(leaf);
  }
  for (const c of chain) {
    const h = spkiHash(c && c.data);
    if (h) spki.push(h);
  }
  return req;
}

/**
 * The base64 SHA-256 of a PEM certificate's DER SubjectPublicKeyInfo:
 * Chromium's "sha256/..." pin without its prefix; '' when unreadable.
 * @param {unknown} pem
 */
function spkiHash(pem) {
  if (typeof pem !== 'string') return '';
  try {
    const der = new crypto.X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
    return crypto.createHash('sha256').update(der).digest('base64');
  } catch {
    return '';
  }
}

/**
 * @typedef {object} DisplayMediaRule
 * @property {string} name
 * @property {'allow'|'deny'} decision
 * @property {OriginPattern[]} [origins] absent: every origin.
 * @property {string[]} screens name patterns of the screens an allow rule may grant.
 * @property {string[]} windows name patterns of the windows an allow rule may grant.
 * @property {boolean} audio grant audio 'loopback' when the page asked for audio.
 */

/**
 * @typedef {object} DisplayMediaTable
 * @property {number} formatVersion
 * @property {boolean} useSystemPicker
 * @property {DisplayMediaRule[]} rules
 */

/**
 * A desktopCapturer source as the decision reads it.
 * @typedef {object} DisplayMediaSource
 * @property {string} [id] DesktopCapturerSource.id ("screen:ZZ:0", "window:XX:YY").
 * @property {string} type "screen" or "window" (the id up to its first ':').
 * @property {string} name
 */

/**
 * @typedef {object} DisplayMediaDecision
 * @property {boolean} allow
 * @property {number} sourceIndex the granted source's index in the list, -1 when denied.
 * @property {DisplayMediaSource|null} source
 * @property {'loopback'|null} audio
 * @property {string|null} rule
 * @property {number} ruleIndex
 * @property {'rule'|'deny-rule'|'no-source'|'default'|'no-handler'} reason
 */

/**
 * Whether a source name matches a pattern: '*' matches any run of
 * characters (also none), every other character itself, case-sensitively;
 * the whole name must match (displaymedia.Glob).
 * @param {string} pattern
 * @param {string} name
 */
function glob(pattern, name) {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === name;
  if (!name.startsWith(parts[0])) return false;
  let rest = name.slice(parts[0].length);
  const last = parts[parts.length - 1];
  for (const p of parts.slice(1, -1)) {
    const i = rest.indexOf(p);
    if (i < 0) return false;
    rest = rest.slice(i + p.length);
  }
  return rest.length >= last.length && rest.endsWith(last);
}

/**
 * The type of a DesktopCapturerSource id: the part before the first ':'.
 * @param {unknown} id
 */
function sourceType(id) {
  const s = typeof id === 'string' ? id : '';
  const i = s.indexOf(':');
  return i < 0 ? s : s.slice(0, i);
}

/**
 * The index of the first rule whose origins match the request's
 * securityOrigin, -1 if none.
 * @param {DisplayMediaTable} table
 * @param {string} origin
 */
function displayMediaRule(table, origin) {
  /** @type {URLParts|null} */
  let u = null;
  for (let i = 0; i < table.rules.length; i++) {
    const r = table.rules[i];
    if (!Array.isArray(r.origins)) return i;
    u = u || urlParts(origin);
    const parts = u;
    if (r.origins.some((o) => originMatches(o, parts))) return i;
  }
  return -1;
}

/**
 * Decides a getDisplayMedia request: the first rule whose origins match
 * decides; an allow rule grants the first listed source whose type's
 * patterns match its name, with audio loopback if the rule allows audio
 * and the page asked for it; anything else denies. A null table means no
 * display_media block: no handler, Electron rejects the request.
 * @param {DisplayMediaTable|null} table
 * @param {{origin: string, audioRequested: boolean, sources: ReadonlyArray<DisplayMediaSource>}} req
 * @returns {DisplayMediaDecision}
 */
function displayMediaDecision(table, req) {
  /** @type {DisplayMediaDecision} */
  const d = { allow: false, sourceIndex: -1, source: null, audio: null, rule: null, ruleIndex: -1, reason: 'no-handler' };
  if (table === null) return d;
  const i = displayMediaRule(table, typeof req.origin === 'string' ? req.origin : '');
  if (i < 0) return { ...d, reason: 'default' };
  const rule = table.rules[i];
  d.rule = rule.name;
  d.ruleIndex = i;
  if (rule.decision !== 'allow') return { ...d, reason: 'deny-rule' };
  const sources = Array.isArray(req.sources) ? req.sources : [];
  for (let j = 0; j < sources.length; j++) {
    const s = sources[j];
    const name = s && typeof s.name === 'string' ? s.name : '';
    const pats = s && s.type === 'screen' ? rule.screens : s && s.type === 'window' ? rule.windows : [];
    if (pats.some((p) => glob(p, name))) {
      return { ...d, allow: true, sourceIndex: j, source: s, audio: rule.audio && req.audioRequested === true ? 'loopback' : null, reason: 'rule' };
    }
  }
  return { ...d, reason: 'no-source' };
}

/**
 * @typedef {object} DownloadsTable
 * @property {number} formatVersion
 * @property {string} directory
 * @property {boolean} ask
 * @property {number} maxSize 0 = no limit.
 * @property {string[]|null} allowedExtensions
 * @property {string[]|null} blockedExtensions
 * @property {string[]|null} allowedMimeTypes
 * @property {string[]|null} blockedMimeTypes
 * @property {OriginPattern[]|null} allowedOrigins
 * @property {OriginPattern[]|null} blockedOrigins
 */

/**
 * A download as will-download's DownloadItem gives it.
 * @typedef {object} DownloadRequest
 * @property {string} url item.getURL()
 * @property {string} filename item.getFilename()
 * @property {string} mimeType item.getMimeType()
 * @property {number} totalBytes item.getTotalBytes(), 0 when unknown.
 */

/**
 * @typedef {object} DownloadDecision
 * @property {'default'|'cancel'|'save'|'ask'} decision
 * @property {string} rule
 * @property {string} [filename] the safe name saved (save only).
 * @property {string} [path] directory joined with filename (save only).
 */

/**
 * The last component of a suggested file name (after '/' or '\'), or ""
 * when it is empty, "." or "..", or holds a control character.
 * @param {unknown} name
 */
function safeDownloadName(name) {
  if (typeof name !== 'string') return '';
  const i = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  const base = i >= 0 ? name.slice(i + 1) : name;
  if (base === '' || base === '.' || base === '..') return '';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(base)) return '';
  return base;
}

/**
 * Lowers A-Z only, as Go's downloads.asciiLower: Unicode case mapping
 * differs between the two languages ("\u0130".toLowerCase() is "i\u0307").
 * @param {string} s
 */
function asciiLower(s) {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** @param {unknown} m */
function normalizeMime(m) {
  if (typeof m !== 'string') return '';
  const i = m.indexOf(';');
  return asciiLower((i >= 0 ? m.slice(0, i) : m).replace(/^[ \t]+|[ \t]+$/g, ''));
}

/**
 * docs/downloads.md "Decision order". A null table means the partition has
 * no downloads block: the listener is not installed and Electron's default
 * applies.
 * @param {DownloadsTable|null} table
 * @param {DownloadRequest} r
 * @returns {DownloadDecision}
 */
function decideDownload(table, r) {
  if (table === null) return { decision: 'default', rule: 'no-block' };
  const name = safeDownloadName(r.filename);
  if (name === '') return { decision: 'cancel', rule: 'filename' };
  const lower = asciiLower(name);
  const mime = normalizeMime(r.mimeType);
  const u = urlParts(r.url);
  /** @param {string[]|null} l */
  const ext = (l) => (l || []).some((e) => lower.endsWith('.' + e));
  /** @param {string[]|null} l */
  const mt = (l) => (l || []).some((p) => p === mime || (p.endsWith('/*') && mime.startsWith(p.slice(0, -1))));
  /** @param {OriginPattern[]|null} l */
  const og = (l) => (l || []).some((o) => originMatches(o, u));
  if (ext(table.blockedExtensions)) return { decision: 'cancel', rule: 'blocked_extensions' };
  if (mt(table.blockedMimeTypes)) return { decision: 'cancel', rule: 'blocked_mime_types' };
  if (og(table.blockedOrigins)) return { decision: 'cancel', rule: 'blocked_origins' };
  if (table.allowedExtensions && !ext(table.allowedExtensions)) return { decision: 'cancel', rule: 'allowed_extensions' };
  if (table.allowedMimeTypes && !mt(table.allowedMimeTypes)) return { decision: 'cancel', rule: 'allowed_mime_types' };
  if (table.allowedOrigins && !og(table.allowedOrigins)) return { decision: 'cancel', rule: 'allowed_origins' };
  const size = typeof r.totalBytes === 'number' ? r.totalBytes : 0;
  if (table.maxSize > 0 && size > table.maxSize) return { decision: 'cancel', rule: 'max_size' };
  if (table.ask) return { decision: 'ask', rule: 'ask' };
  return { decision: 'save', rule: 'directory', filename: name, path: path.join(table.directory, name) };
}

module.exports = {
  PERMISSIONS_FORMAT,
  CERTIFICATES_FORMAT,
  CERTIFICATES_FORMATS,
  SERIAL_FORMAT,
  SERIAL_FORMATS,
  SERIAL_KEYS,
  DOWNLOADS_FORMAT,
  CODE_CHROMIUM,
  urlParts,
  decidePermission,
  normalizeHostname,
  verifyCertificate,
  certificateRequest,
  spkiHash,
  selectSerialPort,
  decideDownload,
  safeDownloadName,
  DISPLAY_MEDIA_FORMAT,
  isOriginPattern,
  originMatches,
  glob,
  sourceType,
  displayMediaRule,
  displayMediaDecision,
};
