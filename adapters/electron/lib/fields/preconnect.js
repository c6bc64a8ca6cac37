// @ts-check
'use strict';

// preconnect: called "once the session is configured" (docs/families.md),
// so after every other field: the sockets it opens use the partition's
// proxy, TLS settings and emulation, and the proxy entry's
// closeAllConnections, which would drop them, has already run.

const { defineField } = require('../table');

module.exports = defineField({
  field: 'preconnect',
  phase: 'connect',
  // After maintenance: its closeAllConnections would drop the sockets.
  after: ['proxy', 'maintenance'],
  retained: true,
  async apply(ctx) {
    await ctx.call('preconnect', 'preconnect', () => ctx.session.preconnect(/** @type {Electron.PreconnectOptions} */ (ctx.fields.preconnect)));
  },
});
