// @ts-check
'use strict';

// webRequest: the compiled web_request table (docs/web-request.md).
// Electron keeps ONE listener per webRequest event per session: a second
// ses.webRequest.onBeforeRequest(...) replaces the first
// (WebRequest::SetListener in shell/browser/api/electron_api_web_request.cc
// stores listeners by event). So this entry installs one onBeforeRequest
// listener (cancel and redirect rules, first match in declaration order)
// and one onBeforeSendHeaders listener (header rules, all matches in
// order), and owns both: a listener the app sets on the same session
// replaces the adapter's, and Electron offers no way to see whether one is
// set, so the adapter cannot detect it (docs/web-request.md "One listener
// per event").

const { isObject } = require('../profile');
const { defineField } = require('../table');
const wr = require('../webrequest');

/** @typedef {import('../table').ApplyContext} ApplyContext */

/**
 * @typedef {object} State
 * @property {boolean} beforeRequest whether this adapter's onBeforeRequest listener is in place.
 * @property {boolean} sendHeaders whether its onBeforeSendHeaders listener is.
 */

module.exports = defineField({
  field: 'webRequest',
  phase: 'policy',
  /** @returns {State} */
  state: () => ({ beforeRequest: false, sendHeaders: false }),
  validate: checkWebRequestTable,
  async invalid(ctx, state, problem) {
    ctx.refuse('webRequest', `${problem}; ${state.beforeRequest || state.sendHeaders ? 'the previous listeners stay in place' : 'no webRequest listener is installed'}`);
  },
  async apply(ctx, state) {
    await install(ctx, state, /** @type {wr.WebRequestTable} */ (ctx.fields.webRequest));
  },
  async reset(ctx, state) {
    await remove(ctx, state);
  },
  detach: {
    run(ctx, state) {
      const web = ctx.session.webRequest;
      if (!web) return;
      if (state.beforeRequest) ctx.run('webRequest', 'onBeforeRequest', () => web.onBeforeRequest(null));
      if (state.sendHeaders) ctx.run('webRequest', 'onBeforeSendHeaders', () => web.onBeforeSendHeaders(null));
      state.beforeRequest = state.sendHeaders = false;
    },
  },
});

/**
 * The filter of a listener: the union of the rules' urls (Electron's
 * RequestFilter uses the same patterns, so the listener sees a superset of
 * the requests a rule can match).
 * @param {wr.WebRequestRule[]} rules
 * @returns {Electron.WebRequestFilter}
 */
function filterOf(rules) {
  return { urls: [...new Set(rules.flatMap((r) => r.urls.map((p) => p.source)))] };
}

/**
 * @param {ApplyContext} ctx
 * @param {State} state
 * @param {wr.WebRequestTable} table
 */
async function install(ctx, state, table) {
  const web = ctx.session.webRequest;
  if (!web) {
    ctx.refuse('webRequest', 'the session has no webRequest object');
    return;
  }
  const requestRules = table.rules.filter((r) => r.action !== 'headers');
  const headerRules = table.rules.filter((r) => r.action === 'headers');
  if (requestRules.length > 0) {
    const r = await ctx.call('webRequest', 'onBeforeRequest', () => web.onBeforeRequest(filterOf(requestRules), (details, callback) => {
      /** @type {Electron.CallbackResponse} */
      let response = {};
      try {
        const d = wr.decideWebRequest(table, { url: details.url, method: details.method, resourceType: details.resourceType });
        if (d.decision === 'cancel') response = { cancel: true };
        else if (d.decision === 'redirect') response = { redirectURL: d.redirectUrl };
      } catch {
        // Fail closed: a rule table that cannot be evaluated blocks.
        response = { cancel: true };
      }
      callback(response);
    }));
    state.beforeRequest = r.ok;
  } else if (state.beforeRequest) {
    await ctx.call('webRequest', 'onBeforeRequest', () => web.onBeforeRequest(null));
    state.beforeRequest = false;
  }
  if (headerRules.length > 0) {
    const r = await ctx.call('webRequest', 'onBeforeSendHeaders', () => web.onBeforeSendHeaders(filterOf(headerRules), (details, callback) => {
      try {
        const d = wr.decideWebRequest({ formatVersion: table.formatVersion, rules: headerRules },
          { url: details.url, method: details.method, resourceType: details.resourceType });
        callback({ requestHeaders: wr.applyHeaders(details.requestHeaders, d) });
      } catch {
        callback({});
      }
    }));
    state.sendHeaders = r.ok;
  } else if (state.sendHeaders) {
    await ctx.call('webRequest', 'onBeforeSendHeaders', () => web.onBeforeSendHeaders(null));
    state.sendHeaders = false;
  }
}

/**
 * Removes the listeners this adapter set (never one it did not set).
 * @param {ApplyContext} ctx
 * @param {State} state
 */
async function remove(ctx, state) {
  const web = ctx.session.webRequest;
  if (!web) return;
  if (state.beforeRequest) await ctx.call('webRequest', 'onBeforeRequest', () => web.onBeforeRequest(null));
  if (state.sendHeaders) await ctx.call('webRequest', 'onBeforeSendHeaders', () => web.onBeforeSendHeaders(null));
  state.beforeRequest = state.sendHeaders = false;
}

/** @param {unknown} p */
const isPattern = (p) => isObject(p) && typeof p.source === 'string' && p.source !== '';
/** @param {unknown} l */
const stringsOrNull = (l) => l === null || (Array.isArray(l) && l.every((x) => typeof x === 'string'));

/**
 * @param {unknown} t
 * @returns {string|null} why the table cannot be evaluated.
 */
function checkWebRequestTable(t) {
  if (!isObject(t)) return 'webRequest is not an object';
  if (t.formatVersion !== wr.WEB_REQUEST_FORMAT) {
    return `webRequest table has formatVersion ${JSON.stringify(t.formatVersion)}; this adapter knows ${wr.WEB_REQUEST_FORMAT}: update @sessctl/electron`;
  }
  if (!Array.isArray(t.rules)) return 'webRequest.rules is not a list';
  for (const r of t.rules) {
    if (!isObject(r) || typeof r.name !== 'string') return 'a webRequest rule is not an object with a name';
    if (!Array.isArray(r.urls) || r.urls.length === 0 || !r.urls.every(isPattern)) return `webRequest rule ${r.name}: urls is not a non-empty list of patterns`;
    if (r.excludeUrls !== null && !(Array.isArray(r.excludeUrls) && r.excludeUrls.every(isPattern))) return `webRequest rule ${r.name}: excludeUrls is not null or a list of patterns`;
    if (!stringsOrNull(r.types) || !stringsOrNull(r.methods)) return `webRequest rule ${r.name}: types or methods is not null or a list of strings`;
    if (r.action === 'redirect' && typeof r.redirectUrl !== 'string') return `webRequest rule ${r.name}: redirectUrl is not a string`;
    if (r.action === 'headers') {
      if (!Array.isArray(r.setHeaders) || !r.setHeaders.every((h) => isObject(h) && typeof h.name === 'string' && typeof h.value === 'string')) return `webRequest rule ${r.name}: setHeaders is not a list of {name, value}`;
      if (!Array.isArray(r.removeHeaders) || !r.removeHeaders.every((h) => typeof h === 'string')) return `webRequest rule ${r.name}: removeHeaders is not a list of names`;
    } else if (r.action !== 'cancel' && r.action !== 'redirect') return `webRequest rule ${r.name}: unknown action ${JSON.stringify(r.action)}`;
  }
  return null;
}
