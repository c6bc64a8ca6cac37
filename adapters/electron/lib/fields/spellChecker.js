// @ts-check
'use strict';

// spellChecker: member by member in the order docs/families.md gives:
// languages (an empty list disables spellchecking), enabled, the download
// URL, then the custom words, diffed against the session's dictionary so
// that words sessctl no longer lists are removed. Only the members that
// changed since the revision applied before are set again. The
// dictionaries member (Hunspell files sessctl wrote into
// <sessionData>/Dictionaries) needs no call: Chromium looks there before
// downloading (docs/families.md "Local Hunspell dictionaries").

const { errorMessage, isObject } = require('../profile');
const { defineField } = require('../table');

module.exports = defineField({
  field: 'spellChecker',
  // Electron has no getter for the values before (the languages one
  // returns what it normalised, the URL and words have none).
  retained: true,
  validate: (v) => (isObject(v) ? null : 'spellChecker is not an object'),
  async apply(ctx) {
    const ses = ctx.session;
    const errors = ctx.errors;
    const next = /** @type {Record<string, unknown>} */ (ctx.fields.spellChecker);
    const prev = ctx.previous('spellChecker');
    // The field failed last time: make every call.
    const before = isObject(prev) && !ctx.failedBefore('spellChecker') ? prev : {};
    /** @param {string} k */
    const memberChanged = (k) => next[k] !== undefined && JSON.stringify(next[k]) !== JSON.stringify(before[k]);
    /**
     * @param {string} name
     * @param {() => void} fn
     */
    const run = (name, fn) => {
      try {
        fn();
        return true;
      } catch (e) {
        errors.push({ field: 'spellChecker', call: name, message: errorMessage(e) });
        return false;
      }
    };
    if (memberChanged('languages')) {
      run('setSpellCheckerLanguages', () => ses.setSpellCheckerLanguages(/** @type {string[]} */ (next.languages)));
    }
    if (memberChanged('enabled')) {
      run('setSpellCheckerEnabled', () => ses.setSpellCheckerEnabled(/** @type {boolean} */ (next.enabled)));
    }
    if (memberChanged('dictionaryDownloadURL')) {
      const url = /** @type {string} */ (next.dictionaryDownloadURL);
      // Process-wide, like ntlmDomains (adapter.js settleGlobals).
      if (run('setSpellCheckerDictionaryDownloadURL', () => ses.setSpellCheckerDictionaryDownloadURL(url))) {
        ctx.globals.dictionaryDownloadURL = { partition: ctx.partition, value: url };
      }
    }
    if (next.words !== undefined) {
      // Checked here, not in validate: the members before it are applied
      // even when words is malformed.
      if (!Array.isArray(next.words) || !next.words.every((w) => typeof w === 'string')) {
        errors.push({ field: 'spellChecker', call: null, message: 'spellChecker.words is not an array of strings' });
        return;
      }
      /** @type {string[]} */
      let current;
      try {
        current = await ses.listWordsInSpellCheckerDictionary();
      } catch (e) {
        errors.push({ field: 'spellChecker', call: 'listWordsInSpellCheckerDictionary', message: errorMessage(e) });
        return;
      }
      const want = new Set(next.words);
      const have = new Set(current);
      for (const w of current) {
        if (want.has(w)) continue;
        run('removeWordFromSpellCheckerDictionary', () => {
          if (!ses.removeWordFromSpellCheckerDictionary(w)) {
            throw new Error(`removeWordFromSpellCheckerDictionary(${JSON.stringify(w)}) returned false`);
          }
        });
      }
      for (const w of next.words) {
        if (have.has(w)) continue;
        run('addWordToSpellCheckerDictionary', () => {
          // false: in-memory session, invalid or duplicate word, or no
          // spellcheck service (electron_api_session.cc).
          if (!ses.addWordToSpellCheckerDictionary(w)) {
            throw new Error(`addWordToSpellCheckerDictionary(${JSON.stringify(w)}) returned false`);
          }
        });
      }
    }
  },
  readBack: {
    none: { spellchecker_languages: null, spellchecker_enabled: null },
    read(ses) {
      /** @type {string[]|null} */
      let languages = null;
      /** @type {boolean|null} */
      let enabled = null;
      try {
        languages = ses.getSpellCheckerLanguages();
      } catch {
        languages = null;
      }
      try {
        enabled = ses.isSpellCheckerEnabled();
      } catch {
        enabled = null;
      }
      return { spellchecker_languages: languages, spellchecker_enabled: enabled };
    },
  },
});
