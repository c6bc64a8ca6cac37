// @ts-check
'use strict';

// certificateRules: the compiled certificate table (docs/certificates.md),
// evaluated by the certificate verify proc this entry installs.

const decide = require('../decide');
const { isObject } = require('../profile');
const { defineField } = require('../table');

/**
 * @typedef {object} State
 * @property {boolean} installed whether this adapter's verify proc is in place.
 */

module.exports = defineField({
  field: 'certificateRules',
  phase: 'policy',
  /** @returns {State} */
  state: () => ({ installed: false }),
  validate: checkCertificateTable,
  async invalid(ctx, state, problem) {
    ctx.refuse('certificateRules', `${problem}; ${state.installed ? 'the previous verify proc stays in place' : "Chromium's own verification decides"}`);
  },
  async apply(ctx, state) {
    const table = /** @type {decide.CertificateTable} */ (ctx.fields.certificateRules);
    const r = await ctx.call('certificateRules', 'setCertificateVerifyProc', () => ctx.session.setCertificateVerifyProc(
      (request, callback) => {
        let code = decide.CODE_CHROMIUM;
        try {
          code = decide.verifyCertificate(table, decide.certificateRequest(table, request)).code;
        } catch {
          code = decide.CODE_CHROMIUM; // Chromium's own verification decides
        }
        callback(code);
      }));
    state.installed = r.ok || state.installed;
  },
  async reset(ctx, state) {
    if (!state.installed) return;
    await ctx.call('certificateRules', 'setCertificateVerifyProc', () => ctx.session.setCertificateVerifyProc(null));
    state.installed = false;
  },
  detach: {
    run(ctx, state) {
      if (!state.installed) return;
      ctx.run('certificateRules', 'setCertificateVerifyProc', () => ctx.session.setCertificateVerifyProc(null));
      state.installed = false;
    },
  },
});

/**
 * @param {unknown} t
 * @returns {string|null} why the table cannot be evaluated.
 */
function checkCertificateTable(t) {
  if (!isObject(t)) return 'certificateRules is not an object';
  if (!decide.CERTIFICATES_FORMATS.includes(/** @type {number} */ (t.formatVersion))) {
    return `certificateRules table has formatVersion ${JSON.stringify(t.formatVersion)}; this adapter knows ${decide.CERTIFICATES_FORMATS.join(', ')}: update @sessctl/electron`;
  }
  if (!Number.isInteger(t.defaultCode)) return 'certificateRules.defaultCode is not an integer';
  if (!Array.isArray(t.rules)) return 'certificateRules.rules is not an array';
  for (const [i, r] of t.rules.entries()) {
    if (!isObject(r) || typeof r.host !== 'string' || typeof r.pattern !== 'string' || !Number.isInteger(r.code) ||
        !['any', 'exact', 'domain', 'subdomains'].includes(/** @type {string} */ (r.match)) ||
        !optionalArray(r.pins, 'string') || !optionalArray(r.issuers, 'string') || !optionalArray(r.errorCodes, 'number') ||
        (r.knownRoot !== undefined && typeof r.knownRoot !== 'boolean') ||
        (t.formatVersion === 1 && (r.pins !== undefined || r.issuers !== undefined || r.knownRoot !== undefined || r.errorCodes !== undefined))) {
      return `certificateRules.rules[${i}] is malformed: ${JSON.stringify(r)}`;
    }
  }
  return null;
}

/**
 * @param {unknown} v
 * @param {'string'|'number'} type
 */
function optionalArray(v, type) {
  return v === undefined || (Array.isArray(v) && v.every((x) => typeof x === type));
}

