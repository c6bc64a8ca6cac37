// @ts-check
'use strict';

// displayMedia: the compiled display_media table (docs/display-media.md),
// evaluated by the handler this entry installs with
// ses.setDisplayMediaRequestHandler(handler, {useSystemPicker}). The
// handler lists the screens and windows with desktopCapturer.getSources
// (the app passes Electron's desktopCapturer as the Adapter option
// `desktopCapturer`), grants the first one the deciding rule allows and
// records the decision as a `display-media-request` event.

const decide = require('../decide');
const { isObject } = require('../profile');
const { defineField } = require('../table');

/** @typedef {import('../table').ApplyContext} ApplyContext */
/** @typedef {import('../types').DisplayMediaHandler} DisplayMediaHandler */

/**
 * @typedef {object} State
 * @property {boolean} installed whether this adapter's handler is in place.
 */

module.exports = defineField({
  field: 'displayMedia',
  phase: 'policy',
  /** @returns {State} */
  state: () => ({ installed: false }),
  validate: checkDisplayMediaTable,
  async invalid(ctx, state, problem) {
    if (state.installed) {
      // A handler that denies everything stands in for a table the
      // adapter cannot read: the previous one might grant what the new
      // profile no longer allows.
      ctx.refuse('displayMedia', `${problem}; every getDisplayMedia() request is denied until the profile can be applied`);
      await install(ctx, state, { formatVersion: decide.DISPLAY_MEDIA_FORMAT, useSystemPicker: false, rules: [] });
      return;
    }
    ctx.refuse('displayMedia', `${problem}; without a handler Electron rejects every getDisplayMedia() request`);
  },
  async apply(ctx, state) {
    const table = /** @type {decide.DisplayMediaTable} */ (ctx.fields.displayMedia);
    if (!ctx.desktopCapturer && table.rules.some((r) => r.decision === 'allow')) {
      ctx.refuse('displayMedia', "the adapter was created without options.desktopCapturer (require('electron').desktopCapturer), so the handler cannot list screens and windows: every request is denied");
    }
    await install(ctx, state, table);
  },
  async reset(ctx, state) {
    // No display_media block: no handler, Electron's default.
    if (!state.installed) return;
    const ses = ctx.session;
    await ctx.call('displayMedia', 'setDisplayMediaRequestHandler', () => ses.setDisplayMediaRequestHandler(null));
    state.installed = false;
  },
  detach: {
    run(ctx, state) {
      if (!state.installed) return;
      const ses = ctx.session;
      ctx.run('displayMedia', 'setDisplayMediaRequestHandler', () => ses.setDisplayMediaRequestHandler(null));
      state.installed = false;
    },
  },
});

/**
 * Installs the handler for a table.
 * @param {ApplyContext} ctx
 * @param {State} state
 * @param {decide.DisplayMediaTable} table
 */
async function install(ctx, state, table) {
  const capturer = ctx.desktopCapturer;
  /** @type {DisplayMediaHandler} */
  const handler = (request, callback) => {
    let answered = false;
    /**
     * Calls back once: callback(null) denies (electron.d.ts: `streams:
     * Streams | null`), {video, audio?} grants.
     * @param {Electron.Streams|null} streams
     */
    const answer = (streams) => {
      if (answered) return;
      answered = true;
      try {
        callback(streams);
      } catch {
        // The frame went away: nothing to answer.
      }
    };
    const origin = typeof request?.securityOrigin === 'string' ? request.securityOrigin : '';
    const audioRequested = request?.audioRequested === true;
    /**
     * @param {decide.DisplayMediaDecision} d
     * @param {string[]} offered
     */
    const note = (d, offered) => ctx.note('display-media-request', {
      origin, rule: d.rule, decision: d.reason, allow: d.allow,
      source_id: d.source ? d.source.id || null : null, source_name: d.source ? d.source.name : null,
      audio: d.audio, audio_requested: audioRequested, sources: offered,
    });
    /** @param {string} reason */
    const fail = (reason) => {
      answer(null);
      const i = decide.displayMediaRule(table, origin);
      ctx.note('display-media-request', {
        origin, rule: i >= 0 ? table.rules[i].name : null, decision: reason, allow: false,
        source_id: null, source_name: null, audio: null, audio_requested: audioRequested, sources: [],
      });
    };
    try {
      const i = decide.displayMediaRule(table, origin);
      const rule = i >= 0 ? table.rules[i] : null;
      if (!rule || rule.decision !== 'allow') {
        const d = decide.displayMediaDecision(table, { origin, audioRequested, sources: [] });
        answer(null);
        note(d, []);
        return;
      }
      /** @type {Array<'screen'|'window'>} */
      const types = [];
      if (rule.screens.length > 0) types.push('screen');
      if (rule.windows.length > 0) types.push('window');
      if (!capturer || types.length === 0) {
        if (!capturer) fail('no-capturer');
        else note(decide.displayMediaDecision(table, { origin, audioRequested, sources: [] }), []);
        answer(null);
        return;
      }
      // Thumbnails are not needed: a 0 size skips capturing them
      // (electron.d.ts SourcesOptions.thumbnailSize).
      capturer.getSources({ types, thumbnailSize: { width: 0, height: 0 } }).then((list) => {
        const sources = (Array.isArray(list) ? list : []).map((s) => ({ id: String(s && s.id), type: decide.sourceType(s && s.id), name: String(s && s.name) }));
        const d = decide.displayMediaDecision(table, { origin, audioRequested, sources });
        if (d.allow) {
          /** @type {Electron.Streams} */
          const streams = { video: list[d.sourceIndex] };
          if (d.audio) streams.audio = d.audio;
          answer(streams);
        } else {
          answer(null);
        }
        note(d, sources.map((s) => `${s.type}:${s.name}`));
      }, () => fail('error'));
    } catch {
      fail('error');
    }
  };
  const ses = ctx.session;
  const r = await ctx.call('displayMedia', 'setDisplayMediaRequestHandler',
    () => ses.setDisplayMediaRequestHandler(handler, { useSystemPicker: table.useSystemPicker === true }));
  if (r.ok) state.installed = true;
}

/** @param {unknown} v */
function isStringArray(v) {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

/**
 * @param {unknown} t
 * @returns {string|null} why the table cannot be evaluated.
 */
function checkDisplayMediaTable(t) {
  if (!isObject(t)) return 'displayMedia is not an object';
  if (t.formatVersion !== decide.DISPLAY_MEDIA_FORMAT) {
    return `displayMedia table has formatVersion ${JSON.stringify(t.formatVersion)}; this adapter knows ${decide.DISPLAY_MEDIA_FORMAT}: update @sessctl/electron`;
  }
  if (typeof t.useSystemPicker !== 'boolean') return 'displayMedia.useSystemPicker is not a boolean';
  if (!Array.isArray(t.rules)) return 'displayMedia.rules is not an array';
  const known = ['name', 'decision', 'origins', 'screens', 'windows', 'audio'];
  for (const [i, r] of t.rules.entries()) {
    const where = `displayMedia.rules[${i}]`;
    if (!isObject(r)) return `${where} is not an object`;
    // A member this adapter does not read could narrow the rule: refuse.
    const unknown = Object.keys(r).find((k) => !known.includes(k));
    if (unknown !== undefined) return `${where} has member ${JSON.stringify(unknown)}, which this adapter does not know: update @sessctl/electron`;
    if (typeof r.name !== 'string' || (r.decision !== 'allow' && r.decision !== 'deny')) return `${where} needs a name and a decision "allow" or "deny"`;
    if (!isStringArray(r.screens) || !isStringArray(r.windows)) return `${where}.screens and .windows must be arrays of strings`;
    if (typeof r.audio !== 'boolean') return `${where}.audio is not a boolean`;
    if (r.origins !== null && r.origins !== undefined) {
      if (!Array.isArray(r.origins)) return `${where}.origins is not null or an array`;
      for (const o of r.origins) {
        if (!decide.isOriginPattern(o)) return `${where}.origins has a malformed origin ${JSON.stringify(o)}`;
      }
    }
  }
  return null;
}
