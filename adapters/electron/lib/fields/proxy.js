// @ts-check
'use strict';

// proxy: setProxy replaces the whole configuration; pooled sockets keep the
// old proxy until closeAllConnections (Electron's docs), so a change is
// both calls, the second only once the first resolved.

const { defineField } = require('../table');

module.exports = defineField({
  field: 'proxy',
  // Electron has no getter for the configuration it had before.
  retained: true,
  async apply(ctx) {
    const ses = ctx.session;
    const r = await ctx.call('proxy', 'setProxy', () => ses.setProxy(/** @type {Electron.ProxyConfig} */ (ctx.fields.proxy)));
    if (r.ok) await ctx.call('proxy', 'closeAllConnections', () => ses.closeAllConnections());
  },
});
