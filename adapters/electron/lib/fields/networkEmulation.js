// @ts-check
'use strict';

// networkEmulation: enableNetworkEmulation with the field; removing it
// disables emulation.

const { defineField } = require('../table');

module.exports = defineField({
  field: 'networkEmulation',
  async apply(ctx) {
    await ctx.call('networkEmulation', 'enableNetworkEmulation', () => ctx.session.enableNetworkEmulation(/** @type {Electron.EnableNetworkEmulationOptions} */ (ctx.fields.networkEmulation)));
  },
  async reset(ctx) {
    await ctx.call('networkEmulation', 'disableNetworkEmulation', () => ctx.session.disableNetworkEmulation());
  },
  detach: {
    // The order of the adapter before the table: preload scripts are
    // removed first. No Electron call depends on it.
    after: ['preloads'],
    run(ctx) {
      if (ctx.had('networkEmulation')) ctx.run('networkEmulation', 'disableNetworkEmulation', () => ctx.session.disableNetworkEmulation());
    },
  },
});
