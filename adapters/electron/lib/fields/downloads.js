// @ts-check
'use strict';

// downloads: the compiled downloads table (docs/downloads.md), evaluated by
// the will-download listener this entry adds. Per download it calls
// item.cancel(), item.setSavePath(directory/safe name) (no dialog), or
// nothing, so that Electron shows its save dialog ("If the user does not
// set the save path ... a save dialog will be shown", DownloadItem
// setSavePath, https://www.electronjs.org/docs/latest/api/download-item).
// The decision is recorded as the `will-download` event's details.

const path = require('path');
const decide = require('../decide');
const { DECIDED_DOWNLOADS, downloadDetails } = require('../events');
const { isObject } = require('../profile');
const { defineField } = require('../table');

/** @typedef {import('../types').SessionLike} SessionLike */
/** @typedef {(event: Electron.Event, item: Electron.DownloadItem, webContents: Electron.WebContents) => void} DownloadListener */

/**
 * @typedef {object} State
 * @property {DownloadListener|null} listener the listener this adapter added.
 */

module.exports = defineField({
  field: 'downloads',
  phase: 'policy',
  /** @returns {State} */
  state: () => ({ listener: null }),
  validate: checkDownloadsTable,
  async invalid(ctx, state, problem) {
    ctx.refuse('downloads', `${problem}; ${state.listener ? 'the previous listener stays in place' : 'without a listener Electron saves downloads as it does by default'}`);
  },
  async apply(ctx, state) {
    const table = /** @type {decide.DownloadsTable} */ (ctx.fields.downloads);
    await ctx.call('downloads', 'removeListener', () => removeListener(ctx.session, state));
    /** @type {DownloadListener} */
    const listener = (_event, item) => {
      const details = downloadDetails(item);
      /** @type {decide.DownloadDecision} */
      let d;
      try {
        d = decide.decideDownload(table, {
          url: /** @type {string} */ (details.url), filename: /** @type {string} */ (details.filename),
          mimeType: /** @type {string} */ (details.mime_type), totalBytes: /** @type {number} */ (details.total_bytes),
        });
      } catch {
        d = { decision: 'cancel', rule: 'error' };
      }
      // The path must stay inside the directory whatever the name was.
      if (d.decision === 'save' && (typeof d.path !== 'string' || path.dirname(d.path) !== path.normalize(table.directory))) {
        d = { decision: 'cancel', rule: 'filename' };
      }
      try {
        if (d.decision === 'save') item.setSavePath(/** @type {string} */ (d.path));
        else if (d.decision === 'cancel') item.cancel();
      } catch {
        d = { ...d, rule: `${d.rule} (the DownloadItem call threw)` };
      }
      ctx.note('will-download', { ...details, decision: d.decision, rule: d.rule, path: d.path ?? null });
    };
    const r = await ctx.call('downloads', 'on', () => ctx.session.on('will-download', listener));
    if (r.ok) {
      state.listener = listener;
      DECIDED_DOWNLOADS.add(ctx.session);
    }
  },
  async reset(ctx, state) {
    await ctx.call('downloads', 'removeListener', () => removeListener(ctx.session, state));
  },
  detach: {
    run(ctx, state) {
      ctx.run('downloads', 'removeListener', () => removeListener(ctx.session, state));
    },
  },
});

/**
 * Removes the listener this adapter added, if any.
 * @param {SessionLike} ses
 * @param {State} state
 */
function removeListener(ses, state) {
  if (state.listener) {
    ses.removeListener('will-download', state.listener);
    state.listener = null;
  }
  DECIDED_DOWNLOADS.delete(ses);
}

/** @param {unknown} l */
const stringsOrNull = (l) => l === null || (Array.isArray(l) && l.every((x) => typeof x === 'string'));
/** @param {unknown} l */
const originsOrNull = (l) => l === null || (Array.isArray(l) && l.every((o) => isObject(o) &&
  typeof o.scheme === 'string' && typeof o.host === 'string' && typeof o.subdomains === 'boolean' && typeof o.port === 'string'));

/**
 * @param {unknown} t
 * @returns {string|null} why the table cannot be evaluated.
 */
function checkDownloadsTable(t) {
  if (!isObject(t)) return 'downloads is not an object';
  if (t.formatVersion !== decide.DOWNLOADS_FORMAT) {
    return `downloads table has formatVersion ${JSON.stringify(t.formatVersion)}; this adapter knows ${decide.DOWNLOADS_FORMAT}: update @sessctl/electron`;
  }
  if (typeof t.ask !== 'boolean') return 'downloads.ask is not a boolean';
  if (typeof t.directory !== 'string' || (!t.ask && !path.isAbsolute(t.directory)) || (t.directory !== '' && path.normalize(t.directory) !== t.directory)) {
    return `downloads.directory must be an absolute, normalized path (got ${JSON.stringify(t.directory)})`;
  }
  if (typeof t.maxSize !== 'number' || !Number.isSafeInteger(t.maxSize) || t.maxSize < 0) return 'downloads.maxSize is not a whole number of bytes';
  for (const k of ['allowedExtensions', 'blockedExtensions', 'allowedMimeTypes', 'blockedMimeTypes']) {
    if (!stringsOrNull(t[k])) return `downloads.${k} is not null or a list of strings`;
  }
  for (const k of ['allowedOrigins', 'blockedOrigins']) {
    if (!originsOrNull(t[k])) return `downloads.${k} is not null or a list of origin patterns`;
  }
  return null;
}
