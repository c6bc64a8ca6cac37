// @ts-check
'use strict';

// lib/table.js: a table whose entries contradict each other fails when the
// module loads (every test then fails), and the order sort is stable.

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');

const { buildTable, stableTopoSort } = require('../lib/table');

/** @typedef {import('../lib/table').AnyEntry} AnyEntry */

describe('a bad table fails at load', () => {
  /** @type {(field: string, more?: Partial<AnyEntry>) => AnyEntry} */
  const e = (field, more = {}) => ({ field, retained: true, apply: async () => {}, ...more });

  const cases = [
    { name: 'a cycle', entries: [e('a', { after: ['b'] }), e('b', { after: ['c'] }), e('c', { after: ['a'] })], want: /apply order constraints form a cycle among a, b, c/ },
    { name: 'an unknown after', entries: [e('a', { after: ['nope'] })], want: /a must come after "nope" in the apply order, which is not in it/ },
    { name: 'an entry after itself', entries: [e('a', { after: ['a'] })], want: /a must come after itself/ },
    { name: 'a policy entry after a configure entry', entries: [e('a'), e('h', { phase: 'policy', after: ['a'] })], want: /cycle among a, h/ },
    { name: 'an unknown phase', entries: [e('a', { phase: /** @type {any} */ ('later') })], want: /unknown phase "later"/ },
    { name: 'two entries for a field', entries: [e('a'), e('a')], want: /two entries for a/ },
    { name: 'a companion of nothing', entries: [{ field: 'c', appliedBy: 'x' }], want: /c is applied by "x", which is not an entry/ },
    { name: 'a companion of a companion', entries: [e('a'), { field: 'b', appliedBy: 'a' }, { field: 'c', appliedBy: 'b' }], want: /c is applied by "b"/ },
    { name: 'a companion with calls', entries: [e('a'), { field: 'b', appliedBy: 'a', apply: async () => {} }], want: /b is applied by a and cannot have calls/ },
    { name: 'an entry without calls', entries: [{ field: 'a', retained: true }], want: /a has no apply and no appliedBy/ },
    { name: 'no removal rule', entries: [{ field: 'a', apply: async () => {} }], want: /a must say what happens when it leaves the profile/ },
    { name: 'both removal rules', entries: [e('a', { reset: async () => {} })], want: /a must say what happens when it leaves the profile/ },
    { name: 'an unknown detach after', entries: [e('a', { detach: { after: ['b'], run: () => {} } }), e('b')], want: /a must come after "b" in the detach order/ },
    {
      name: 'two entries filling one status member',
      entries: [e('a', { readBack: { none: { m: null }, read: () => ({ m: null }) } }), e('b', { readBack: { none: { m: null }, read: () => ({ m: null }) } })],
      want: /two entries fill the status member m/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.throws(() => buildTable(c.entries), c.want));
  }

  it('the sort keeps a list that already satisfies the constraints, and breaks ties by list position', () => {
    const items = ['a', 'b', 'c', 'd'];
    assert.deepEqual(stableTopoSort(items, (x) => x, () => [], 'test order'), items);
    assert.deepEqual(stableTopoSort(items, (x) => x, (x) => (x === 'a' ? ['c'] : []), 'test order'), ['b', 'c', 'a', 'd']);
  });
});

