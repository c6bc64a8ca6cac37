// @ts-check
'use strict';

// ntlmDomains: allowNTLMCredentialsForDomains is process-wide (last call
// wins); the adapter records the call so that it can settle which
// partition's value is in effect (adapter.js settleGlobals).

const { defineField } = require('../table');

module.exports = defineField({
  field: 'ntlmDomains',
  retained: true,
  async apply(ctx) {
    const domains = /** @type {string} */ (ctx.fields.ntlmDomains);
    const r = await ctx.call('ntlmDomains', 'allowNTLMCredentialsForDomains', () => ctx.session.allowNTLMCredentialsForDomains(domains));
    if (r.ok) ctx.globals.ntlmDomains = { partition: ctx.partition, value: domains };
  },
});
