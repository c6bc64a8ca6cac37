// @ts-check
'use strict';

// serialRules: the compiled serial table (docs/serial.md), evaluated by the
// select-serial-port listener this entry adds.

const decide = require('../decide');
const { isObject } = require('../profile');
const { defineField } = require('../table');

/** @typedef {import('../types').SessionLike} SessionLike */
/** @typedef {import('../types').SerialListener} SerialListener */

/**
 * @typedef {object} State
 * @property {SerialListener|null} listener the listener this adapter added.
 */

module.exports = defineField({
  field: 'serialRules',
  phase: 'policy',
  /** @returns {State} */
  state: () => ({ listener: null }),
  validate: checkSerialTable,
  async invalid(ctx, state, problem) {
    ctx.refuse('serialRules', `${problem}; ${state.listener ? 'the previous listener stays in place' : 'without a listener Electron cancels every port request'}`);
  },
  async apply(ctx, state) {
    const table = /** @type {decide.SerialTable} */ (ctx.fields.serialRules);
    await ctx.call('serialRules', 'removeListener', () => removeListener(ctx.session, state));
    /** @type {SerialListener} */
    const listener = (event, portList, _webContents, callback) => {
      // Without preventDefault Electron cancels the request at once
      // (serial_chooser_controller.cc).
      event.preventDefault();
      let portId = '';
      /** @type {number|null} */
      let rule = null;
      let source = 'error';
      try {
        const d = decide.selectSerialPort(table, portList);
        portId = d.portId;
        rule = d.ruleIndex >= 0 ? d.ruleIndex : null;
        source = d.source;
      } catch {
        portId = ''; // cancel
      }
      callback(portId);
      // Which rule chose which port, for `sessctl events` (lib/events.js).
      const list = Array.isArray(portList) ? portList : [];
      const chosen = list.find((p) => p && String(p.portId) === portId);
      ctx.note('select-serial-port', {
        port_id: portId, port_name: chosen ? chosen.portName : null, rule, decision: source,
        ports: list.map((p) => String(p && p.portName)),
      });
    };
    const r = await ctx.call('serialRules', 'on', () => ctx.session.on('select-serial-port', listener));
    if (r.ok) state.listener = listener;
  },
  async reset(ctx, state) {
    await ctx.call('serialRules', 'removeListener', () => removeListener(ctx.session, state));
  },
  detach: {
    run(ctx, state) {
      ctx.run('serialRules', 'removeListener', () => removeListener(ctx.session, state));
    },
  },
});

/**
 * Removes the listener this adapter added, if any.
 * @param {SessionLike} ses
 * @param {State} state
 */
function removeListener(ses, state) {
  if (state.listener) {
    ses.removeListener('select-serial-port', state.listener);
    state.listener = null;
  }
}

/**
 * @param {unknown} t
 * @returns {string|null} why the table cannot be evaluated.
 */
function checkSerialTable(t) {
  if (!isObject(t)) return 'serialRules is not an object';
  if (!decide.SERIAL_FORMATS.includes(/** @type {number} */ (t.formatVersion))) {
    return `serialRules table has formatVersion ${JSON.stringify(t.formatVersion)}; this adapter knows ${decide.SERIAL_FORMATS.join(', ')}: update @sessctl/electron`;
  }
  if (!Array.isArray(t.rules)) return 'serialRules.rules is not an array';
  /** @type {ReadonlyArray<string>} */
  const known = t.formatVersion === 1 ? ['vendorId', 'productId', 'serialNumber', 'portName'] : decide.SERIAL_KEYS;
  for (const [i, r] of t.rules.entries()) {
    // A member this adapter does not compare would widen the rule: refuse.
    if (!isObject(r) || Object.entries(r).some(([k, v]) => typeof v !== 'string' || !known.includes(k))) {
      return `serialRules.rules[${i}] is malformed: ${JSON.stringify(r)}`;
    }
  }
  return null;
}
