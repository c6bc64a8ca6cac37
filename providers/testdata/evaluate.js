#!/usr/bin/env node
// Runs decisions.json through the evaluators the Electron adapter ships
// (adapters/electron/lib/decide.js, written from docs/permissions.md,
// docs/certificates.md, docs/serial.md, docs/display-media.md, docs/downloads.md and docs/devices.md), so that the
// documentation, the
// Go evaluators, the vectors and the code apps run agree.
// providers/decisions_node_test.go runs it, on the hand-derived vectors and
// on random tables decided by Go.
//
// Usage: node evaluate.js decisions.json   (exit 1 on any mismatch)
'use strict';

const fs = require('fs');
const path = require('path');
const {
  decidePermission,
  verifyCertificate: verifyCert,
  selectSerialPort: selectPort,
  displayMediaDecision,
  decideDownload,
} = require(path.join(__dirname, '..', '..', 'adapters', 'electron', 'lib', 'decide.js'));
const { decideDevice } = require(path.join(__dirname, '..', '..', 'adapters', 'electron', 'lib', 'decide-devices.js'));
const { decideWebRequest } = require(path.join(__dirname, '..', '..', 'adapters', 'electron', 'lib', 'webrequest.js'));

function main() {
  const file = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  let failures = 0;
  for (const v of file.vectors) {
    const table = file.tables[v.table];
    let got;
    if (v.family === 'permissions') got = decidePermission(table, v.request);
    else if (v.family === 'certificates') got = verifyCert(table, v.request);
    else if (v.family === 'serial') got = selectPort(table, v.request.ports);
    else if (v.family === 'display_media') got = displayMediaDecision(table, v.request);
    else if (v.family === 'downloads') got = decideDownload(table, v.request);
    else if (v.family === 'devices') got = decideDevice(table, v.request);
    else if (v.family === 'web_request') got = decideWebRequest(table, v.request);
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
