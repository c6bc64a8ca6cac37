// @ts-check
'use strict';

// Reading sessctl's output: digests of real sessctl profiles verify, and
// every way a file can be unusable is refused with a reason.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { readIndex, readProfile, parseProfile, parseIndex, compact, topLevelMembers, ProfileError } = require('../lib/profile');
const { FIELD_ORDER } = require('../lib/apply');
const { renderProfile } = require('./helpers');

const TESTDATA = path.join(__dirname, 'testdata');

describe('profiles written by sessctl', () => {
  for (const sub of ['examples', 'unicode']) {
    it(`${sub}: every profile matches its digest and index entry, and every field is known`, async () => {
      const dir = path.join(TESTDATA, sub);
      const entries = await readIndex(dir);
      assert.ok(entries.length >= 2);
      for (const e of entries) {
        const p = await readProfile(dir, e);
        assert.equal(p.revision, e.revision);
        assert.equal(p.digest, e.digest);
        for (const field of Object.keys(p.fields)) {
          assert.ok(FIELD_ORDER.includes(field), `${e.file}: field ${field} unknown to the adapter`);
        }
      }
    });
  }

  it('unicode: the partition name with U+2028 and the user agent read back exactly', async () => {
    const dir = path.join(TESTDATA, 'unicode');
    const entries = await readIndex(dir);
    assert.deepEqual(entries.map((e) => e.partition), ['', 'persist:ünï "q" <b>\u2028']);
    const p = await readProfile(dir, entries[1]);
    assert.equal(p.fields.userAgent, 'Ünïcödé "quoted" \\\\ back <&> end');
    assert.equal(p.fields.acceptLanguages, 'en-US,fr');
  });

  it('one changed byte in a value breaks the digest', async () => {
    const dir = path.join(TESTDATA, 'examples');
    const [entry] = await readIndex(dir);
    const text = fs.readFileSync(path.join(dir, entry.file), 'utf8');
    assert.doesNotThrow(() => parseProfile(text, entry));
    const tampered = text.replace('"persistent": true', '"persistent": false');
    assert.notEqual(tampered, text);
    assert.throws(() => parseProfile(tampered, entry), /does not match its own digest/);
  });
});

describe('compact and member split', () => {
  const cases = [
    { in: '{ "a" : 1 , "b" : [ 1 , 2 ] }', members: [['a', '1'], ['b', '[1,2]']] },
    { in: '{"s": "x y\\" ,}", "n": null}', members: [['s', '"x y\\" ,}"'], ['n', 'null']] },
    { in: '{"o": {"k": [ {"z": "]}"} ]}, "t": true}', members: [['o', '{"k":[{"z":"]}"}]}'], ['t', 'true']] },
    { in: '{}', members: [] },
    { in: '{"\\u00e9": -1.5e3}', members: [['é', '-1.5e3']] },
  ];
  for (const c of cases) {
    it(c.in, () => {
      assert.deepEqual(topLevelMembers(c.in).map(([k, v]) => [k, compact(v)]), c.members);
    });
  }
});

describe('refusals', () => {
  const spec = { partition: 'persist:a', revision: 3, fields: { userAgent: 'UA' } };
  const entryFor = (/** @type {string} */ digest, revision = 3) => ({ partition: 'persist:a', file: 'p.json', persistent: true, revision, digest });
  const good = renderProfile(spec);

  const cases = [
    { name: 'not JSON (a file cut short)', text: good.text.slice(0, 40), entry: entryFor(good.digest), re: /not valid JSON/ },
    { name: 'format_version 2', text: good.text.replace('"format_version": 1', '"format_version": 2'), entry: entryFor(good.digest), re: /format_version 2; this adapter reads format 1/ },
    { name: 'digest written wrong', text: renderProfile(spec, { digest: 'sha256:00' }).text, entry: entryFor('sha256:00'), re: /does not match its own digest/ },
    { name: 'index names another digest', text: good.text, entry: entryFor('sha256:ff'), re: /index.json names revision 3 \(sha256:ff\)/ },
    { name: 'older than the index', text: good.text, entry: entryFor(good.digest, 4), re: /is revision 3 .* but index.json names revision 4/, pending: false },
    { name: 'newer than the index (sessctl between two writes)', text: renderProfile(spec, { revision: 5 }).text, entry: entryFor(good.digest, 3), re: /revision 5/, pending: true },
    { name: 'another partition', text: good.text, entry: { ...entryFor(good.digest), partition: 'persist:b' }, re: /is for partition "persist:a" but index.json names it for "persist:b"/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.throws(() => parseProfile(c.text, c.entry), (/** @type {unknown} */ e) => {
        assert.ok(e instanceof ProfileError);
        assert.match(e.message, c.re);
        if (c.pending !== undefined) assert.equal(e.pending, c.pending);
        return true;
      });
    });
  }

  const indexCases = [
    { name: 'index format 2', text: '{"format_version": 2, "partitions": []}', re: /format_version 2/ },
    { name: 'file name with a separator', text: '{"format_version": 1, "partitions": [{"partition": "a", "file": "../x.json", "revision": 1, "digest": "d"}]}', re: /malformed/ },
    { name: 'hidden file name', text: '{"format_version": 1, "partitions": [{"partition": "a", "file": ".x", "revision": 1, "digest": "d"}]}', re: /malformed/ },
    { name: 'revision not an integer', text: '{"format_version": 1, "partitions": [{"partition": "a", "file": "x", "revision": 1.5, "digest": "d"}]}', re: /malformed/ },
    { name: 'partition twice', text: '{"format_version": 1, "partitions": [{"partition": "a", "file": "x", "revision": 1, "digest": "d"}, {"partition": "a", "file": "y", "revision": 1, "digest": "d"}]}', re: /twice/ },
    { name: 'not an object', text: '[]', re: /not a JSON object/ },
  ];
  for (const c of indexCases) {
    it(c.name, () => {
      assert.throws(() => parseIndex(c.text), c.re);
    });
  }

  it('an empty index is valid', () => {
    assert.deepEqual(parseIndex('{"format_version": 1, "partitions": []}'), []);
  });
});
