#!/usr/bin/env node
// @ts-check
'use strict';

// Applies the profiles of a sessctl output directory to recording sessions
// and prints, per partition, the status the adapter wrote and the Electron
// methods it called, as JSON. adapters/adapter_test.go runs it on the
// output of a real `sessctl apply ./examples`, so that every field the
// providers render today is one the adapter applies without error.
//
// Usage: node test/apply-dir.js DIR
// Extensions "load" under the ID and version sessctl computed (the fake has
// no Chromium to compute them); everything else is the recording session.

const fs = require('node:fs');
const path = require('node:path');

const sessctl = require('..');
const { FakeSessionModule, FakeDesktopCapturer } = require('./fake-session');

async function main() {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node test/apply-dir.js DIR');
    process.exit(2);
  }
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'));
  const mod = new FakeSessionModule();
  for (const e of index.partitions) {
    const profile = JSON.parse(fs.readFileSync(path.join(dir, e.file), 'utf8'));
    const ses = e.partition === '' ? mod.defaultSession : mod.fromPartition(e.partition, { cache: profile.cache });
    for (const x of profile.extensions || []) ses.extensions.disk.set(x.path, { id: x.id, version: x.version });
  }
  mod.fromPartitionCalls.length = 0;
  const statusDir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'sessctl-status-'));
  try {
    // An app passes Electron's desktopCapturer, as examples/electron-app does.
    const desktopCapturer = new FakeDesktopCapturer([{ id: 'screen:1:0', name: 'Entire Screen' }]);
    const result = await sessctl.applyOnce({ dir, session: mod, statusDir, desktopCapturer });
    /** @type {Record<string, unknown>} */
    const out = {};
    for (const e of index.partitions) {
      const ses = e.partition === '' ? mod.defaultSession : mod.get(e.partition);
      out[e.partition] = {
        status: JSON.parse(fs.readFileSync(path.join(statusDir, e.file), 'utf8')),
        calls: ses.take().map((c) => c.method),
      };
    }
    process.stdout.write(JSON.stringify({ result, partitions: out }, null, 2) + '\n');
  } finally {
    fs.rmSync(statusDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
