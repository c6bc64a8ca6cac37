// @ts-check
'use strict';

// downloadPath: setDownloadPath. Electron persists it in Preferences and has
// no getter for the value before: a removed field keeps its last value.

const { defineField } = require('../table');

module.exports = defineField({
  field: 'downloadPath',
  retained: true,
  async apply(ctx) {
    await ctx.call('downloadPath', 'setDownloadPath', () => ctx.session.setDownloadPath(/** @type {string} */ (ctx.fields.downloadPath)));
  },
});
