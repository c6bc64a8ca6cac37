// @ts-check
'use strict';

// acceptLanguages: the second argument of the userAgent entry's
// setUserAgent call.

const { defineField } = require('../table');

module.exports = defineField({
  field: 'acceptLanguages',
  appliedBy: 'userAgent',
  retained: true,
  validate: (v) => (typeof v === 'string' ? null : 'acceptLanguages is not a string'),
});
