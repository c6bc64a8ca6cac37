#!/usr/bin/env node
// Executable form of the evaluation algorithms in docs/permissions.md,
// docs/certificates.md and docs/serial.md, written from the documentation
// alone (WHATWG URL for URL parts), and run against decisions.json. It is
// what the Electron adapter must do; providers/decisions_js_test.go runs it
// so that the documentation, the Go evaluators and the vectors agree.
//
// Usage: node evaluate.js decisions.json   (exit 1 on any mismatch)
'use strict';

const fs = require('fs');

// ---- URL parts (docs/permissions.md "URL parts")
function urlParts(s) {
  let u;
  try {
    u = new URL(s);
  } catch {
    return { scheme: '', host: '', port: '', path: '', hierarchical: false };
  }
  const scheme = u.protocol.replace(/:$/, '');
  // Lower-case: WHATWG keeps the case of hosts of non-special schemes
  // (app://Local.App), Chromium's standard schemes do not.
  let host = u.hostname.toLowerCase();
  if (host.length > 1 && host.endsWith('.')) host = host.slice(0, -1);
  const hierarchical = s.slice(scheme.length + 1).startsWith('//');
  return { scheme, host, port: u.port, path: u.pathname, hierarchical };
}

function hostMatches(patternHost, subdomains, host) {
  if (!subdomains) return host === patternHost;
  return patternHost === '' || host === patternHost || host.endsWith('.' + patternHost);
}

function portMatches(patternPort, u) {
  if (patternPort === '*') return true;
  let p = u.port;
  if (p === '') p = u.scheme === 'http' ? '80' : u.scheme === 'https' ? '443' : '';
  return p === patternPort;
}

function originMatches(o, u) {
  if (o.scheme !== '*' && o.scheme !== u.scheme) return false;
  if (o.scheme !== '*' && u.scheme === 'file') return o.path === '*' || o.path === u.path;
  if (!hostMatches(o.host, o.subdomains, u.host)) return false;
  return portMatches(o.port, u);
}

function externalMatches(e, u) {
  if (e.scheme !== u.scheme) return false;
  if (e.anyUrl) return true;
  if (!u.hierarchical) return false;
  if (!hostMatches(e.host || '', e.subdomains || false, u.host)) return false;
  if (!portMatches(e.port === undefined ? '' : e.port, u)) return false; // absent port: ""
  if (e.path === undefined) return true;
  return e.pathPrefix ? u.path.startsWith(e.path) : u.path === e.path;
}

function ruleMatches(rule, req) {
  if (!rule.handlers.includes(req.handler)) return false;
  if (rule.permissions !== null && !rule.permissions.includes(req.permission)) return false;
  if (rule.mainFrameOnly && !req.isMainFrame) return false;
  const media = req.mediaTypes || [];
  if (rule.mediaTypes !== null) {
    if (req.permission !== 'media') return false;
    const ok = rule.decision === 'allow'
      ? media.every((m) => rule.mediaTypes.includes(m))
      : media.some((m) => rule.mediaTypes.includes(m));
    if (!ok) return false;
  }
  if (rule.externalUrls !== null) {
    if (req.permission !== 'openExternal') return false;
    const u = urlParts(req.externalURL || '');
    if (!rule.externalUrls.some((e) => externalMatches(e, u))) return false;
  }
  if (rule.origins !== null) {
    const u = urlParts(req.origin);
    if (!rule.origins.some((o) => originMatches(o, u))) return false;
  }
  return true;
}

function decidePermission(table, req) {
  if (table === null) {
    const deny = req.handler === 'check' && req.permission === 'deprecated-sync-clipboard-read';
    return { decision: deny ? 'deny' : 'allow', rule: null, source: 'electron-default' };
  }
  for (const rule of table.rules) {
    if (ruleMatches(rule, req)) return { decision: rule.decision, rule: rule.name, source: 'rule' };
  }
  return { decision: table.default, rule: null, source: 'default' };
}

// ---- certificates (docs/certificates.md "Evaluation")
function verifyCert(table, hostname) {
  if (table === null) return { code: -3, rule: null, source: 'no-proc' };
  let h = hostname.toLowerCase();
  if (h.length > 2 && h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.length > 1 && h.endsWith('.')) h = h.slice(0, -1);
  for (const r of table.rules) {
    const m = r.match === 'any' ||
      (r.match === 'exact' && h === r.host) ||
      (r.match === 'domain' && (h === r.host || h.endsWith('.' + r.host))) ||
      (r.match === 'subdomains' && h.endsWith('.' + r.host));
    if (m) return { code: r.code, rule: r.pattern, source: 'rule' };
  }
  return { code: table.defaultCode, rule: null, source: 'default' };
}

// ---- serial (docs/serial.md "Compiled table")
function selectPort(table, ports) {
  if (table === null) return { portId: '', ruleIndex: -1, source: 'no-listener' };
  const fields = ['vendorId', 'productId', 'serialNumber', 'portName'];
  for (let i = 0; i < table.rules.length; i++) {
    const r = table.rules[i];
    for (const p of ports) {
      if (fields.every((f) => r[f] === undefined || r[f] === p[f])) {
        return { portId: p.portId, ruleIndex: i, source: 'rule' };
      }
    }
  }
  return { portId: '', ruleIndex: -1, source: 'no-match' };
}

function main() {
  const file = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  let failures = 0;
  for (const v of file.vectors) {
    const table = file.tables[v.table];
    let got;
    if (v.family === 'permissions') got = decidePermission(table, v.request);
    else if (v.family === 'certificates') got = verifyCert(table, v.request.hostname);
    else if (v.family === 'serial') got = selectPort(table, v.request.ports);
    else { console.log(`${v.id}: unknown family ${v.family}`); failures++; continue; }
    const want = v.expected;
    const bad = Object.keys(want).filter((k) => JSON.stringify(got[k]) !== JSON.stringify(want[k]));
    if (bad.length > 0) {
      failures++;
      console.log(`${v.id} (${v.table}): got ${JSON.stringify(got)}, want ${JSON.stringify(want)}${v.why ? ' — ' + v.why : ''}`);
    }
  }
  console.log(`${file.vectors.length - failures}/${file.vectors.length} vectors agree`);
  process.exit(failures === 0 ? 0 : 1);
}

main();
