package pac

// jsLibrary defines the PAC helper functions that Chromium implements in
// JavaScript (services/proxy_resolver/pac_js_library.h, itself taken from
// Mozilla's ProxyAutoConfig.cpp). This is an independent implementation of
// the same behaviour, quirks included, written against that source and the
// vectors in services/proxy_resolver/test/data/proxy_resolver_v8_unittest/
// pac_library_unittest.js:
//
//   - dnsDomainIs is a plain suffix test: dnsDomainIs("www.adobe.com", ".ad")
//     is false but dnsDomainIs("xadobe.com", "adobe.com") is true.
//   - shExpMatch only translates '.', '*' and '?'; every other regular
//     expression character keeps its RegExp meaning ("[ab]" is a class).
//   - isInNet resolves a non-IP first argument with dnsResolve (IPv4 only).
//   - dateRange(day, month) is true for any combination (crbug.com/827292).
//
// The helper names (including convert_addr, isValidIpAddress, wdays and
// months) are globals, as in Chromium, so scripts that call convert_addr keep
// working and a script that redefines one of them changes the helpers the
// same way it would in Chrome.
//
// The natively implemented helpers (isPlainHostName, dnsResolve,
// dnsResolveEx, myIpAddress, myIpAddressEx, sortIpAddressList, isInNetEx,
// alert) are installed from Go (natives.go) before this runs.
const jsLibrary = `
function dnsDomainIs(host, domain) {
  return host.length >= domain.length &&
         host.substring(host.length - domain.length) == domain;
}

function dnsDomainLevels(host) {
  return host.split('.').length - 1;
}

function isValidIpAddress(ipchars) {
  var m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ipchars);
  if (m == null) return false;
  for (var i = 1; i <= 4; i++) {
    if (m[i] > 255) return false;
  }
  return true;
}

function convert_addr(ipchars) {
  var b = ipchars.split('.');
  return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) |
         ((b[2] & 0xff) << 8) | (b[3] & 0xff);
}

function isInNet(ipaddr, pattern, maskstr) {
  if (!isValidIpAddress(pattern) || !isValidIpAddress(maskstr)) return false;
  if (!isValidIpAddress(ipaddr)) {
    ipaddr = dnsResolve(ipaddr);
    if (ipaddr == null) return false;
  }
  var mask = convert_addr(maskstr);
  return (convert_addr(ipaddr) & mask) == (convert_addr(pattern) & mask);
}

function isResolvable(host) {
  return dnsResolve(host) != null;
}

function localHostOrDomainIs(host, hostdom) {
  if (host == hostdom) return true;
  return hostdom.lastIndexOf(host + '.', 0) == 0;
}

function shExpMatch(url, pattern) {
  var re = pattern.replace(/\./g, '\\.').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp('^' + re + '$').test(url);
}

var wdays = {SUN: 0, MON: 1, TUE: 2, WED: 3, THU: 4, FRI: 5, SAT: 6};
var months = {JAN: 0, FEB: 1, MAR: 2, APR: 3, MAY: 4, JUN: 5, JUL: 6,
              AUG: 7, SEP: 8, OCT: 9, NOV: 10, DEC: 11};

function weekdayRange() {
  var argc = arguments.length;
  if (argc < 1) return false;
  var now = new Date();
  var today;
  if (arguments[argc - 1] == 'GMT') {
    argc--;
    today = now.getUTCDay();
  } else {
    today = now.getDay();
  }
  var from = (arguments[0] in wdays) ? wdays[arguments[0]] : -1;
  var to = from;
  if (argc == 2) to = (arguments[1] in wdays) ? wdays[arguments[1]] : -1;
  if (from == -1 || to == -1) return false;
  if (from <= to) return from <= today && today <= to;
  return to >= today || today >= from;
}

function dateRange() {
  var argc = arguments.length;
  if (argc < 1) return false;
  var now = new Date();
  var gmt = arguments[argc - 1] == 'GMT';
  if (gmt) argc--;
  var monthOf = function(name) { return (name in months) ? months[name] : -1; };
  if (argc == 1) {
    var n = parseInt(arguments[0]);
    if (isNaN(n)) return (gmt ? now.getUTCMonth() : now.getMonth()) == monthOf(arguments[0]);
    if (n < 32) return (gmt ? now.getUTCDate() : now.getDate()) == n;
    return (gmt ? now.getUTCFullYear() : now.getFullYear()) == n;
  }
  var year = now.getFullYear();
  var start = new Date(year, 0, 1, 0, 0, 0);
  var end = new Date(year, 11, 31, 23, 59, 59);
  var sameMonth = false;
  var half = argc >> 1;
  for (var i = 0; i < argc; i++) {
    var d = i < half ? start : end;
    var v = parseInt(arguments[i]);
    if (isNaN(v)) {
      d.setMonth(monthOf(arguments[i]));
    } else if (v < 32) {
      if (i < half) sameMonth = (argc <= 2);
      d.setDate(v);
    } else {
      d.setFullYear(v);
    }
  }
  if (sameMonth) {
    start.setMonth(now.getMonth());
    end.setMonth(now.getMonth());
  }
  if (gmt) {
    now.setFullYear(now.getUTCFullYear());
    now.setMonth(now.getUTCMonth());
    now.setDate(now.getUTCDate());
    now.setHours(now.getUTCHours());
    now.setMinutes(now.getUTCMinutes());
    now.setSeconds(now.getUTCSeconds());
  }
  if (start <= end) return start <= now && now <= end;
  return end >= now || now >= start;
}

function timeRange() {
  var argc = arguments.length;
  if (argc < 1) return false;
  var now = new Date();
  var gmt = false;
  if (arguments[argc - 1] == 'GMT') {
    gmt = true;
    argc--;
  }
  var hour = gmt ? now.getUTCHours() : now.getHours();
  if (argc == 1) return hour == arguments[0];
  if (argc == 2) return arguments[0] <= hour && hour <= arguments[1];
  var start = new Date();
  var end = new Date();
  if (argc == 6) {
    start.setSeconds(arguments[2]);
    end.setSeconds(arguments[5]);
  } else if (argc != 4) {
    throw 'timeRange: bad number of arguments';
  }
  var mid = argc >> 1;
  start.setHours(arguments[0]);
  start.setMinutes(arguments[1]);
  end.setHours(arguments[mid]);
  end.setMinutes(arguments[mid + 1]);
  if (mid == 2) end.setSeconds(59);
  if (gmt) {
    now.setFullYear(now.getUTCFullYear());
    now.setMonth(now.getUTCMonth());
    now.setDate(now.getUTCDate());
    now.setHours(now.getUTCHours());
    now.setMinutes(now.getUTCMinutes());
    now.setSeconds(now.getUTCSeconds());
  }
  if (start <= end) return start <= now && now <= end;
  return end >= now || now >= start;
}

function isResolvableEx(host) {
  return dnsResolveEx(host) != '';
}
`
