// @ts-check
'use strict';

// Runs the adapter's evaluators over the vectors shared with the Go
// evaluators (providers/testdata/decisions.json): every vector must give the
// decision written there, so that what `sessctl check-permission`,
// `verify-cert`, `serial match`, `check-display-media`, `check-download` and `check-device` predict is what the handlers do.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { decidePermission, verifyCertificate, selectSerialPort, displayMediaDecision, decideDownload } = require('../lib/decide');
const { decideDevice } = require('../lib/decide-devices');

const VECTORS = path.join(__dirname, '..', '..', '..', 'providers', 'testdata', 'decisions.json');

/**
 * @typedef {{id: string, family: string, table: string, request: any, expected: Record<string, unknown>, why?: string}} Vector
 */

/** @type {{tables: Record<string, any>, vectors: Vector[]}} */
const file = JSON.parse(fs.readFileSync(VECTORS, 'utf8'));

test('the shared vector file has at least 200 vectors over the four families', () => {
  assert.ok(file.vectors.length >= 200, `only ${file.vectors.length} vectors`);
  const families = new Set(file.vectors.map((v) => v.family));
  assert.deepEqual([...families].sort(), ['certificates', 'devices', 'display_media', 'downloads', 'permissions', 'serial']);
});

/**
 * @param {Vector} v
 * @returns {Record<string, unknown>}
 */
function evaluate(v) {
  const table = file.tables[v.table];
  assert.notEqual(table, undefined, `${v.id}: unknown table ${v.table}`);
  switch (v.family) {
    case 'permissions':
      return { ...decidePermission(table, v.request) };
    case 'certificates':
      return { ...verifyCertificate(table, v.request) };
    case 'serial':
      return { ...selectSerialPort(table, v.request.ports) };
    case 'display_media':
      return { ...displayMediaDecision(table, v.request) };
    case 'downloads':
      return { ...decideDownload(table, v.request) };
    case 'devices':
      return { ...decideDevice(table, v.request) };
  }
  throw new Error(`${v.id}: unknown family ${v.family}`);
}

for (const v of file.vectors) {
  test(`${v.id} ${v.family} ${v.table}${v.why ? ' — ' + v.why : ''}`, () => {
    const got = evaluate(v);
    for (const [k, want] of Object.entries(v.expected)) {
      assert.deepEqual(got[k], want, `${v.id} member ${k}: request ${JSON.stringify(v.request)}`);
    }
  });
}
