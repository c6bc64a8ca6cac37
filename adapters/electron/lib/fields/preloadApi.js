// @ts-check
'use strict';

// preloadApi: which preload API the targeted Electron has; read by the
// preloads entry, which runs again when it changes.

const { defineField } = require('../table');

module.exports = defineField({
  field: 'preloadApi',
  appliedBy: 'preloads',
});
