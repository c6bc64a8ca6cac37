// @ts-check
'use strict';

// The registered field entries. The list order is the tie-break of the apply
// order: entries are applied in this order unless a constraint (phase,
// after) says otherwise. A new profile field is one module in this
// directory and one line here (docs/electron-adapter.md "How the adapter
// applies a profile").

const { buildTable } = require('../table');
const { STATUS_MEMBERS } = require('../status');

const ENTRIES = /** @type {const} */ ([
  require('./permissions'),
  require('./certificateRules'),
  require('./serialRules'),
  require('./displayMedia'),
  require('./downloads'),
  require('./devices'),
  require('./webRequest'),
  require('./proxy'),
  require('./sslConfig'),
  require('./userAgent'),
  require('./acceptLanguages'),
  require('./downloadPath'),
  require('./preloadApi'),
  require('./preloads'),
  require('./spellChecker'),
  require('./extensions'),
  require('./networkEmulation'),
  require('./ntlmDomains'),
  require('./maintenance'),
  require('./cookies'),
  require('./preconnect'),
]);

/**
 * The status members the entries' readBack fill (user_agent, …), typed
 * from the entries themselves.
 * @typedef {import('../table').ReadBackStatus<typeof ENTRIES[number]>} FieldStatus
 */

/**
 * Throws when an entry reads back a status member the status file has no
 * place for (tsc catches it too: lib/status.js MEMBER_ORDER).
 * @param {import('../table').Table} table
 * @param {ReadonlyArray<string>} members
 */
function checkStatusMembers(table, members) {
  for (const m of table.readBackMembers) {
    if (!members.includes(m)) {
      throw new Error(`field table: status member ${m} is not in STATUS_MEMBERS (lib/status.js), which fixes where it goes in the file`);
    }
  }
}

const TABLE = buildTable(ENTRIES);
checkStatusMembers(TABLE, STATUS_MEMBERS);

module.exports = { TABLE, ENTRIES, checkStatusMembers };
