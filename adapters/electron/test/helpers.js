// @ts-check
'use strict';

// Writes output directories the way sessctl does (reconcile/build.go
// RenderProfile, reconcile/index.go): profiles first, each by rename, then
// index.json. The digest is computed by lib/profile.js; that function is
// checked separately against profiles written by sessctl itself
// (test/testdata/examples, see profile.test.js).

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { contentDigest, redactSecrets } = require('../lib/profile');

/**
 * @typedef {object} PartitionSpec
 * @property {string} partition
 * @property {number} revision
 * @property {Record<string, unknown>} fields provider fields.
 * @property {boolean} [cache]
 * @property {string} [file]
 */

/** @param {string} name */
function fileName(name) {
  const slug = (name === '' ? 'default' : name.replace(/[^A-Za-z0-9_-]/g, '_')).slice(0, 40);
  return `p-${slug}-${crypto.createHash('sha256').update(name).digest('hex').slice(0, 12)}.json`;
}

/**
 * The fields a profile of spec carries (core fields included), in
 * RenderProfile's order.
 * @param {PartitionSpec} spec
 * @returns {Array<[string, unknown]>}
 */
function profileMembers(spec) {
  /** @type {Array<[string, unknown]>} */
  const m = [
    ['partition', spec.partition],
    ['persistent', spec.partition === '' || spec.partition.startsWith('persist:')],
    ['cache', spec.cache ?? true],
  ];
  for (const k of Object.keys(spec.fields).sort()) m.push([k, spec.fields[k]]);
  return m;
}

/**
 * Renders a profile's text and digest.
 * @param {PartitionSpec} spec
 * @param {{digest?: string, revision?: number}} [override] write a wrong digest or revision.
 */
function renderProfile(spec, override = {}) {
  const members = profileMembers(spec);
  // sessctl hashes a sensitive value's token, not the value.
  const digest = contentDigest(members.map(([k, v]) => [k, redactSecrets(JSON.stringify(v))]));
  /** @type {Record<string, unknown>} */
  const doc = { format_version: 1 };
  for (const [k, v] of members) doc[k] = v;
  doc.revision = override.revision ?? spec.revision;
  doc.digest = override.digest ?? digest;
  return { text: JSON.stringify(doc, null, 2) + '\n', digest };
}

/**
 * @param {string} file
 * @param {string} text
 */
function writeAtomic(file, text) {
  const tmp = path.join(path.dirname(file), `.tmp-${crypto.randomBytes(6).toString('hex')}`);
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/**
 * Writes every profile, then index.json.
 * @param {string} dir
 * @param {PartitionSpec[]} specs
 */
function writeDir(dir, specs) {
  fs.mkdirSync(dir, { recursive: true });
  const entries = [];
  for (const spec of [...specs].sort((a, b) => (a.partition < b.partition ? -1 : a.partition > b.partition ? 1 : 0))) {
    const file = spec.file || fileName(spec.partition);
    const { text, digest } = renderProfile(spec);
    writeAtomic(path.join(dir, file), text);
    entries.push({
      partition: spec.partition, file,
      persistent: spec.partition === '' || spec.partition.startsWith('persist:'),
      revision: spec.revision, digest,
    });
  }
  writeIndex(dir, entries);
  return entries;
}

/**
 * @param {string} dir
 * @param {unknown[]} entries
 */
function writeIndex(dir, entries) {
  writeAtomic(path.join(dir, 'index.json'), JSON.stringify({ format_version: 1, partitions: entries }, null, 2) + '\n');
}

/** A fresh temporary directory, removed by the caller's cleanup. */
function tempDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'sessctl-electron-'));
}

/**
 * @param {string} dir
 * @param {string} partition
 */
function readStatus(dir, partition) {
  return JSON.parse(fs.readFileSync(path.join(dir, 'status', fileName(partition)), 'utf8'));
}

module.exports = { fileName, renderProfile, writeDir, writeIndex, writeAtomic, tempDir, readStatus };
