// @ts-check
'use strict';

// permissions: the compiled permission table (docs/permissions.md), evaluated
// by the permission request and check handlers this entry installs.

const decide = require('../decide');
const { isObject } = require('../profile');
const { defineField } = require('../table');

/** @typedef {import('../table').ApplyContext} ApplyContext */

/**
 * @typedef {object} State
 * @property {boolean} installed whether this adapter's handlers are in place.
 */

module.exports = defineField({
  field: 'permissions',
  // The partition's security policy is in place before anything else
  // changes (with certificateRules and serialRules).
  phase: 'policy',
  /** @returns {State} */
  state: () => ({ installed: false }),
  validate: checkPermissionTable,
  async invalid(ctx, state, problem) {
    if (state.installed) {
      ctx.refuse('permissions', `${problem}; the previous handlers stay in place`);
      return;
    }
    // Without a handler Electron grants every request: a table the
    // adapter cannot read must not open everything the partition meant
    // to restrict, so every request and check is denied.
    ctx.refuse('permissions', `${problem}; every permission request and check is denied until the profile can be applied`);
    await install(ctx, state, { formatVersion: decide.PERMISSIONS_FORMAT, default: 'deny', rules: [] });
  },
  async apply(ctx, state) {
    await install(ctx, state, /** @type {decide.PermissionTable} */ (ctx.fields.permissions));
  },
  async reset(ctx, state) {
    // No permissions block: Electron's defaults, i.e. no handlers.
    if (!state.installed) return;
    const ses = ctx.session;
    await ctx.call('permissions', 'setPermissionRequestHandler', () => ses.setPermissionRequestHandler(null));
    await ctx.call('permissions', 'setPermissionCheckHandler', () => ses.setPermissionCheckHandler(null));
    state.installed = false;
  },
  detach: {
    run(ctx, state) {
      if (!state.installed) return;
      const ses = ctx.session;
      ctx.run('permissions', 'setPermissionRequestHandler', () => ses.setPermissionRequestHandler(null));
      ctx.run('permissions', 'setPermissionCheckHandler', () => ses.setPermissionCheckHandler(null));
      state.installed = false;
    },
  },
});

/**
 * Installs the request and check handlers for a table.
 * @param {ApplyContext} ctx
 * @param {State} state
 * @param {decide.PermissionTable} t
 */
async function install(ctx, state, t) {
  const ses = ctx.session;
  await ctx.call('permissions', 'setPermissionRequestHandler', () => ses.setPermissionRequestHandler(
    (_webContents, permission, callback, details) => {
      let allow = false;
      try {
        const d = /** @type {Partial<Electron.MediaAccessPermissionRequest & Electron.OpenExternalPermissionRequest>} */ (details || {});
        allow = decide.decidePermission(t, {
          handler: 'request',
          permission,
          origin: d.requestingUrl || '',
          mediaTypes: d.mediaTypes || [],
          externalURL: d.externalURL,
          isMainFrame: d.isMainFrame === true,
        }).decision === 'allow';
      } catch {
        allow = false; // never leave a request unanswered; fail closed
      }
      callback(allow);
    }));
  const checked = await ctx.call('permissions', 'setPermissionCheckHandler', () => ses.setPermissionCheckHandler(
    (_webContents, permission, requestingOrigin, details) => {
      try {
        return decide.decidePermission(t, {
          handler: 'check',
          permission,
          origin: requestingOrigin || '',
          mediaTypes: details && details.mediaType ? [details.mediaType] : [],
          isMainFrame: Boolean(details && details.isMainFrame),
        }).decision === 'allow';
      } catch {
        return false;
      }
    }));
  state.installed = checked.ok || state.installed;
}

/**
 * @param {unknown} t
 * @returns {string|null} why the table cannot be evaluated.
 */
function checkPermissionTable(t) {
  if (!isObject(t)) return 'permissions is not an object';
  if (t.formatVersion !== decide.PERMISSIONS_FORMAT) {
    return `permissions table has formatVersion ${JSON.stringify(t.formatVersion)}; this adapter knows ${decide.PERMISSIONS_FORMAT}: update @sessctl/electron`;
  }
  if (t.default !== 'allow' && t.default !== 'deny') return 'permissions.default is not "allow" or "deny"';
  if (!Array.isArray(t.rules)) return 'permissions.rules is not an array';
  for (const [i, r] of t.rules.entries()) {
    const where = `permissions.rules[${i}]`;
    if (!isObject(r)) return `${where} is not an object`;
    if (typeof r.name !== 'string' || (r.decision !== 'allow' && r.decision !== 'deny')) return `${where} needs a name and a decision "allow" or "deny"`;
    if (!isStringArray(r.handlers)) return `${where}.handlers is not an array of strings`;
    for (const k of ['permissions', 'mediaTypes']) {
      if (r[k] !== null && !isStringArray(r[k])) return `${where}.${k} is not null or an array of strings`;
    }
    if (r.origins !== null) {
      if (!Array.isArray(r.origins)) return `${where}.origins is not null or an array`;
      for (const o of r.origins) {
        if (!decide.isOriginPattern(o)) {
          return `${where}.origins has a malformed origin ${JSON.stringify(o)}`;
        }
      }
    }
    if (r.externalUrls !== null) {
      if (!Array.isArray(r.externalUrls)) return `${where}.externalUrls is not null or an array`;
      for (const e of r.externalUrls) {
        if (!isObject(e) || typeof e.scheme !== 'string' ||
            (e.host !== undefined && typeof e.host !== 'string') ||
            (e.port !== undefined && typeof e.port !== 'string') ||
            (e.path !== undefined && typeof e.path !== 'string')) {
          return `${where}.externalUrls has a malformed URL pattern ${JSON.stringify(e)}`;
        }
      }
    }
    if (typeof r.mainFrameOnly !== 'boolean') return `${where}.mainFrameOnly is not a boolean`;
  }
  return null;
}

/**
 * @param {unknown} v
 * @returns {v is string[]}
 */
function isStringArray(v) {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}
