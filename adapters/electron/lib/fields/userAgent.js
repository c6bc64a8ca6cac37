// @ts-check
'use strict';

// userAgent (with its companion acceptLanguages): one setUserAgent call
// carries both; without a userAgent field the current one is kept
// (docs/families.md acceptLanguages).

const { defineField } = require('../table');

module.exports = defineField({
  field: 'userAgent',
  retained: true,
  validate: (v) => (typeof v === 'string' ? null : 'userAgent is not a string'),
  async apply(ctx) {
    const ses = ctx.session;
    const f = ctx.fields;
    // An error is the userAgent field's when it changed, else
    // acceptLanguages': that is the field tried again next time.
    const field = ctx.changed('userAgent') ? 'userAgent' : 'acceptLanguages';
    if (f.acceptLanguages === undefined) {
      const ua = /** @type {string} */ (f.userAgent);
      await ctx.call(field, 'setUserAgent', () => ses.setUserAgent(ua));
    } else {
      const langs = /** @type {string} */ (f.acceptLanguages);
      const ua = f.userAgent;
      await ctx.call(field, 'setUserAgent', () => ses.setUserAgent(typeof ua === 'string' ? ua : ses.getUserAgent(), langs));
    }
  },
  readBack: {
    none: { user_agent: null },
    read(ses) {
      /** @type {string|null} */
      let userAgent = null;
      try {
        userAgent = ses.getUserAgent();
      } catch {
        userAgent = null;
      }
      return { user_agent: userAgent };
    },
  },
});
