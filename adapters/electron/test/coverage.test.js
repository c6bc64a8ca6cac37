// @ts-check
'use strict';

// docs/coverage.md has a row for every member of Electron's Session class
// (electron.d.ts, the `electron` devDependency), names no member the class
// does not have, and its claims match the adapter: a "setting" is called
// by a field entry, a "read-back" by lib/readback.js, an "event" is
// recorded by lib/events.js (or the serial chooser).

const { it } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { EVENT_NAMES } = require('../lib/events');

const ROOT = path.join(__dirname, '..');
const DTS = path.join(ROOT, 'node_modules', 'electron', 'electron.d.ts');
const COVERAGE = path.join(ROOT, '..', '..', 'docs', 'coverage.md');

/**
 * The members of `class Session` in electron.d.ts, as "kind member" keys.
 * @param {string} src
 * @returns {Set<string>}
 */
function sessionMembers(src) {
  const start = src.indexOf('\n  class Session extends ');
  assert.ok(start >= 0, 'electron.d.ts has no class Session');
  const end = src.indexOf('\n  }\n', start);
  /** @type {Set<string>} */
  const out = new Set();
  for (const line of src.slice(start, end).split('\n')) {
    let m;
    if ((m = line.match(/^ {4}(?:on|once|addListener|removeListener|off)\(event: '([^']+)'/))) out.add(`event ${m[1]}`);
    else if ((m = line.match(/^ {4}static ([A-Za-z]+)\s*[(<]/))) out.add(`static method ${m[1]}`);
    else if ((m = line.match(/^ {4}static ([A-Za-z]+):/))) out.add(`static property ${m[1]}`);
    else if ((m = line.match(/^ {4}([A-Za-z]+)\s*[(<]/))) out.add(`method ${m[1]}`);
    else if ((m = line.match(/^ {4}(?:readonly )?([A-Za-z]+)\??: /))) out.add(`property ${m[1]}`);
  }
  return out;
}

/**
 * The rows of docs/coverage.md: `| kind | \`member\` | coverage | how |`.
 * @returns {Map<string, {coverage: string[], how: string}>}
 */
function coverageRows() {
  /** @type {Map<string, {coverage: string[], how: string}>} */
  const rows = new Map();
  for (const line of fs.readFileSync(COVERAGE, 'utf8').split('\n')) {
    const m = line.match(/^\| (static method|static property|event|method|property) \| `([^`]+)` \| ([^|]+) \| (.+) \|$/);
    if (!m) continue;
    const key = `${m[1]} ${m[2]}`;
    assert.ok(!rows.has(key), `docs/coverage.md has two rows for ${key}`);
    rows.set(key, { coverage: m[3].split(',').map((s) => s.trim()), how: m[4] });
  }
  return rows;
}

const KINDS = new Set(['setting', 'evaluator', 'event', 'read-back', 'action', 'not covered']);

/** @param {string} dir */
function sources(dir) {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n');
}

it('docs/coverage.md has a row for every member of electron.d.ts class Session, and no other', (t) => {
  if (!fs.existsSync(DTS)) {
    t.skip('node_modules/electron is not installed (npm ci)');
    return;
  }
  const members = sessionMembers(fs.readFileSync(DTS, 'utf8'));
  assert.ok(members.size > 80, `only ${members.size} members parsed from class Session`);
  const rows = coverageRows();
  const missing = [...members].filter((k) => !rows.has(k));
  assert.deepEqual(missing, [], 'members of Session with no row in docs/coverage.md');
  const stale = [...rows.keys()].filter((k) => !members.has(k));
  assert.deepEqual(stale, [], 'rows of docs/coverage.md that are not members of Session');
});

it('each row of docs/coverage.md says how, and its claims match the adapter', () => {
  const rows = coverageRows();
  assert.ok(rows.size > 0, 'docs/coverage.md has no rows');
  const fields = sources(path.join(ROOT, 'lib', 'fields')) + sources(path.join(ROOT, 'lib'));
  const readback = fs.readFileSync(path.join(ROOT, 'lib', 'readback.js'), 'utf8');
  /** @type {ReadonlyArray<string>} */
  const recorded = EVENT_NAMES;
  for (const [key, row] of rows) {
    const member = key.split(' ').pop() || '';
    for (const c of row.coverage) assert.ok(KINDS.has(c), `${key}: unknown coverage ${JSON.stringify(c)}`);
    assert.ok(row.how.trim().length >= 5, `${key}: no explanation`);
    if (row.coverage.includes('not covered')) {
      assert.equal(row.coverage.length, 1, `${key}: "not covered" with another coverage`);
    }
    if (key.startsWith('event ')) {
      assert.equal(row.coverage.includes('event'), recorded.includes(member), `${key}: lib/events.js ${recorded.includes(member) ? 'records' : 'does not record'} it`);
      continue;
    }
    if (row.coverage.includes('read-back')) {
      // A property's read-back is its getter's (spellCheckerEnabled: isSpellCheckerEnabled).
      const getter = { spellCheckerEnabled: 'isSpellCheckerEnabled', storagePath: 'getStoragePath' }[member] || member;
      assert.ok(readback.includes(getter), `${key}: lib/readback.js does not read ${getter}`);
    }
    if (row.coverage.includes('action')) {
      // A maintenance generation or a queued `sessctl action`: lib/actions.js runs it.
      assert.ok(new RegExp(`\\b${member}\\b`).test(fields), `${key}: no adapter code runs ${member}`);
    }
    if (row.coverage.includes('setting') && !key.startsWith('static')) {
      const setter = { spellCheckerEnabled: 'setSpellCheckerEnabled' }[member] || member;
      assert.ok(new RegExp(`\\.${setter}\\b|'${setter}'`).test(fields), `${key}: no field entry calls ${setter}`);
    }
  }
});
