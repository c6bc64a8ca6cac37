// sessctl status page: the page is complete without this script. With it,
// the page subscribes to /events and, on each "update", fetches itself
// again and swaps #content (the filters stay as they are).
(function () {
  'use strict';
  if (!window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var live = document.getElementById('live');
  var pending = false;
  var again = false;
  function refresh() {
    if (pending) {
      again = true;
      return;
    }
    pending = true;
    fetch(location.pathname + location.search, { credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) {
        if (!r.ok) {
          throw new Error('HTTP ' + r.status);
        }
        return r.text();
      })
      .then(function (text) {
        var doc = new DOMParser().parseFromString(text, 'text/html');
        var next = doc.getElementById('content');
        var cur = document.getElementById('content');
        if (next && cur) {
          cur.replaceWith(document.importNode(next, true));
          document.body.setAttribute('data-updates', String(Number(document.body.getAttribute('data-updates') || '0') + 1));
        }
      })
      .catch(function (e) {
        live.textContent = 'update failed (' + e.message + '); retrying on the next change';
      })
      .then(function () {
        pending = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }
  var es = new EventSource('/events');
  es.addEventListener('hello', function () {
    live.textContent = 'live';
    live.className = 'live on';
  });
  es.addEventListener('update', refresh);
  es.onerror = function () {
    // CLOSED: the server refused the stream (too many open pages, or
    // the token is gone); the browser will not retry.
    live.textContent = es.readyState === EventSource.CLOSED ? 'live updates unavailable: reload to update' : 'disconnected: reconnecting';
    live.className = 'live';
  };
})();
