// @ts-check
'use strict';

// sslConfig: each setSSLConfig call replaces the whole config; {} is
// Chromium's default, which is what a removed field goes back to.

const { defineField } = require('../table');

module.exports = defineField({
  field: 'sslConfig',
  async apply(ctx) {
    await ctx.call('sslConfig', 'setSSLConfig', () => ctx.session.setSSLConfig(/** @type {Electron.Config} */ (ctx.fields.sslConfig)));
  },
  async reset(ctx) {
    await ctx.call('sslConfig', 'setSSLConfig', () => ctx.session.setSSLConfig({}));
  },
  detach: {
    // The order of the adapter before the table: network emulation is
    // disabled first. No Electron call depends on it.
    after: ['networkEmulation'],
    run(ctx) {
      if (ctx.had('sslConfig')) ctx.run('sslConfig', 'setSSLConfig', () => ctx.session.setSSLConfig({}));
    },
  },
});
