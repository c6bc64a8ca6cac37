// @ts-check
'use strict';

// The web_request evaluator (docs/web-request.md), the JavaScript twin of
// providers/webrequest/decide.go: Chromium's URLPattern::MatchesURL
// (extensions/common/url_pattern.cc) over the compiled patterns, then the
// order of docs/web-request.md "Order". The shared vectors of
// providers/testdata/decisions_webrequest.json hold both to the same answers.

const { glob } = require('./decide');

const WEB_REQUEST_FORMAT = 1;

/**
 * @typedef {object} WebRequestPattern
 * @property {string} source
 * @property {boolean} [all]
 * @property {string} [scheme]
 * @property {string} [host]
 * @property {boolean} [subdomains]
 * @property {string} [port]
 * @property {string} [path]
 */

/**
 * @typedef {object} WebRequestRule
 * @property {string} name
 * @property {WebRequestPattern[]} urls
 * @property {WebRequestPattern[]|null} excludeUrls
 * @property {string[]|null} types
 * @property {string[]|null} methods
 * @property {'cancel'|'redirect'|'headers'} action
 * @property {string} [redirectUrl]
 * @property {{name: string, value: string}[]|null} setHeaders
 * @property {string[]|null} removeHeaders
 */

/** @typedef {{formatVersion: number, rules: WebRequestRule[]}} WebRequestTable */
/** @typedef {{url: string, method: string, resourceType: string}} WebRequestRequest */

/**
 * @typedef {object} WebRequestDecision
 * @property {'cancel'|'redirect'|'headers'|'allow'} decision
 * @property {string} rule
 * @property {number} ruleIndex
 * @property {string} redirectUrl
 * @property {string[]} headerRules
 * @property {{name: string, value: string}[]} setHeaders
 * @property {string[]} removeHeaders
 */

// GURL's standard schemes without app registration (see pattern.go).
const BUILTIN_STANDARD = new Set(['http', 'https', 'file', 'ftp', 'ws', 'wss', 'filesystem', 'chrome', 'chrome-untrusted', 'devtools', 'chrome-extension']);
/** @type {Record<string, string>} */
const DEFAULT_PORT = { http: '80', ws: '80', https: '443', wss: '443', ftp: '21' };

/**
 * @typedef {object} RequestURL
 * @property {boolean} valid
 * @property {string} scheme
 * @property {string} host
 * @property {boolean} ip
 * @property {string} port
 * @property {string} pathQuery
 */

/**
 * Reads details.url (a canonical GURL spec) with WHATWG URL.
 * @param {string} s
 * @returns {RequestURL}
 */
function requestURL(s) {
  /** @type {URL} */
  let u;
  try {
    u = new URL(s);
  } catch {
    return { valid: false, scheme: '', host: '', ip: false, port: '', pathQuery: '' };
  }
  const scheme = u.protocol.slice(0, -1);
  let host = u.hostname;
  if (BUILTIN_STANDARD.has(scheme)) host = host.toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);
  const ip = host.startsWith('[') || /^\d+\.\d+\.\d+\.\d+$/.test(host);
  const port = u.port !== '' ? u.port : (DEFAULT_PORT[scheme] ?? '-1');
  let path = u.pathname;
  if (path === '' && BUILTIN_STANDARD.has(scheme) && s.slice(scheme.length + 1).startsWith('//')) path = '/';
  const q = s.replace(/#.*$/s, '').indexOf('?');
  const pathQuery = q >= 0 ? path + u.search.replace(/^$/, '?') : path;
  return { valid: true, scheme, host, ip, port, pathQuery };
}

/**
 * URLPattern::MatchesURL over a compiled pattern.
 * @param {WebRequestPattern} p
 * @param {RequestURL} u
 */
function patternMatches(p, u) {
  if (!u.valid) return false;
  if (p.all) return true;
  if (p.scheme === '*') {
    if (u.scheme !== 'http' && u.scheme !== 'https') return false;
  } else if (p.scheme !== u.scheme) return false;
  if (u.pathQuery === '') return false;
  if (p.scheme !== 'file' && !hostMatches(p, u)) return false;
  if ((p.port ?? '*') !== '*' && p.port !== u.port) return false;
  const path = p.path ?? '';
  if (path.length === u.pathQuery.length + 2 && path.endsWith('/*') && path.startsWith(u.pathQuery)) return true;
  return glob(path, u.pathQuery);
}

/**
 * @param {WebRequestPattern} p
 * @param {RequestURL} u
 */
function hostMatches(p, u) {
  let ph = p.host ?? '';
  if (ph.endsWith('.')) ph = ph.slice(0, -1);
  if (u.host === ph) return true;
  if (!p.subdomains) return false;
  if (ph === '') return true;
  if (u.ip) return false;
  return u.host.length > ph.length + 1 && u.host.endsWith(ph) && u.host[u.host.length - ph.length - 1] === '.';
}

/** @param {string} m */
function normalizeMethod(m) {
  const u = m.toUpperCase();
  return ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'].includes(u) && /^[A-Za-z]+$/.test(m) ? u : m;
}

/**
 * @param {WebRequestRule} r
 * @param {RequestURL} u
 * @param {WebRequestRequest} req
 */
function ruleMatches(r, u, req) {
  if (!r.urls.some((p) => patternMatches(p, u))) return false;
  if (r.excludeUrls && r.excludeUrls.some((p) => patternMatches(p, u))) return false;
  if (r.types && !r.types.includes(req.resourceType)) return false;
  return !r.methods || r.methods.includes(normalizeMethod(req.method));
}

/**
 * docs/web-request.md "Order".
 * @param {WebRequestTable|null} table
 * @param {WebRequestRequest} req
 * @returns {WebRequestDecision}
 */
function decideWebRequest(table, req) {
  /** @type {WebRequestDecision} */
  const res = { decision: 'allow', rule: '', ruleIndex: -1, redirectUrl: '', headerRules: [], setHeaders: [], removeHeaders: [] };
  if (table === null) return res;
  const u = requestURL(req.url);
  for (let i = 0; i < table.rules.length; i++) {
    const r = table.rules[i];
    if (r.action === 'headers' || !ruleMatches(r, u, req)) continue;
    return { ...res, decision: r.action, rule: r.name, ruleIndex: i, redirectUrl: r.action === 'redirect' ? r.redirectUrl ?? '' : '' };
  }
  /** @type {{name: string, value: string, set: boolean}[]} */
  let ops = [];
  /** @param {{name: string, value: string, set: boolean}} o */
  const put = (o) => {
    ops = ops.filter((x) => x.name.toLowerCase() !== o.name.toLowerCase());
    ops.push(o);
  };
  for (const r of table.rules) {
    if (r.action !== 'headers' || !ruleMatches(r, u, req)) continue;
    res.headerRules.push(r.name);
    for (const h of r.setHeaders ?? []) put({ name: h.name, value: h.value, set: true });
    for (const n of r.removeHeaders ?? []) put({ name: n, value: '', set: false });
  }
  for (const o of ops) {
    if (o.set) res.setHeaders.push({ name: o.name, value: o.value });
    else res.removeHeaders.push(o.name);
  }
  if (res.headerRules.length > 0) res.decision = 'headers';
  return res;
}

/**
 * Applies a decision's header changes to details.requestHeaders (a new
 * object): names compare case-insensitively, as HTTP does.
 * @param {Record<string, string>} headers
 * @param {WebRequestDecision} d
 * @returns {Record<string, string>}
 */
function applyHeaders(headers, d) {
  /** @type {Record<string, string>} */
  const out = {};
  const drop = new Set([...d.removeHeaders, ...d.setHeaders.map((h) => h.name)].map((n) => n.toLowerCase()));
  for (const [k, v] of Object.entries(headers)) if (!drop.has(k.toLowerCase())) out[k] = v;
  for (const h of d.setHeaders) out[h.name] = h.value;
  return out;
}

module.exports = { WEB_REQUEST_FORMAT, decideWebRequest, applyHeaders, requestURL, patternMatches };
