/* NeoBanque's client for its JSON API, its loading indicator and its error rendering.
 *
 * The loading indicator is the contract with scrapers: it appears synchronously when an action
 * starts (inside the click/submit handler) and disappears only after the resulting DOM has been
 * rendered, so "wait until .loading is gone" is a reliable "the page is ready".
 */
(function () {
  'use strict';
  var NB = window.NB;
  var L = NB.layout;

  /* Build an element from a layout entry: {tag, id, class} plus attrs/events; strings become
   * text nodes (never HTML), so labels such as « CHEZ PAULETTE » & co. are rendered verbatim. */
  NB.el = function (spec, extra) {
    var node = document.createElement(spec.tag || 'div');
    if (spec.id) node.id = spec.id;
    if (spec.class) node.className = spec.class;
    var attrs = (extra && extra.attrs) || {};
    Object.keys(attrs).forEach(function (k) {
      if (attrs[k] !== null && attrs[k] !== undefined) node.setAttribute(k, String(attrs[k]));
    });
    var on = (extra && extra.on) || {};
    Object.keys(on).forEach(function (k) { node.addEventListener(k, on[k]); });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      node.append(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return node;
  };

  var busyCount = 0;
  var indicator = null;

  function startBusy() {
    busyCount += 1;
    if (!indicator) {
      indicator = NB.el(L.loading, { attrs: { role: 'status', 'aria-live': 'polite' } },
        NB.el({ tag: 'span', class: 'spin' }), L.text.loading);
      document.body.append(indicator);
    }
  }

  function stopBusy() {
    busyCount = Math.max(0, busyCount - 1);
    if (busyCount === 0 && indicator) {
      indicator.remove();
      indicator = null;
    }
  }

  /* Run fn with the indicator shown; it is added before fn's first await (synchronously). */
  NB.busy = async function (fn) {
    startBusy();
    try {
      return await fn();
    } finally {
      stopBusy();
    }
  };

  /* One API call. Never throws: {status, data, retryAfter}; status 0 means network failure. */
  NB.request = async function (method, path, body) {
    var init = { method: method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    var response;
    try {
      response = await fetch(path, init);
    } catch (e) {
      return { status: 0, data: null, retryAfter: null };
    }
    var data = null;
    try {
      data = await response.json();
    } catch (e) {
      data = null;
    }
    return { status: response.status, data: data, retryAfter: response.headers.get('Retry-After') };
  };

  NB.errorCode = function (res) {
    return res.data && typeof res.data.error === 'string' ? res.data.error : null;
  };

  NB.isMaintenance = function (res) {
    return res.status === 200 && !!res.data && res.data.maintenance === true;
  };

  /* Render the visible element for an outage or refusal into container (replacing its content).
   * Returns false for answers that are not faults (the caller handles them). */
  NB.showFault = function (container, res) {
    var code = NB.errorCode(res);
    var node = null;
    var statusAttr = {};
    statusAttr[L.attr.status] = res.status;
    if (res.status === 0) {
      node = NB.el(L.networkError, { attrs: { role: 'alert' } }, L.text.networkError);
    } else if (NB.isMaintenance(res)) {
      node = NB.el(L.maintenance, { attrs: { role: 'alert' } }, res.data.message || L.text.maintenance);
    } else if (res.status === 503) {
      node = NB.el(L.unavailable, { attrs: Object.assign({ role: 'alert' }, statusAttr) }, L.text.unavailable);
    } else if (res.status === 429) {
      var retry = {};
      retry[L.attr.retryAfter] = res.retryAfter || '';
      var suffix = res.retryAfter ? ' (' + res.retryAfter + ' s)' : '';
      node = NB.el(L.rateLimited, { attrs: Object.assign({ role: 'alert' }, retry) }, L.text.rateLimited + suffix);
    } else if (code === 'captcha_required') {
      node = NB.el(L.captcha, { attrs: { role: 'alert' } },
        NB.el({ tag: 'p' }, null, L.text.captcha),
        NB.el({ tag: 'div', class: 'captcha-image' }, null, 'n3Ob4nk'),
        NB.el({ tag: 'input' }, { attrs: { name: 'captcha', autocomplete: 'off' } }));
    } else if (code === 'account_locked') {
      node = NB.el(L.locked, { attrs: { role: 'alert' } }, L.text.locked);
    } else if (code === 'password_expired') {
      node = NB.el(L.passwordExpired, { attrs: { role: 'alert' } }, L.text.passwordExpired);
    } else if (code === 'security_validation_required') {
      node = NB.el(L.securityCheck, { attrs: { role: 'alert' } }, L.text.securityCheck);
    } else if (res.status >= 400 || res.status === 200) {
      node = NB.el(L.serverError, { attrs: Object.assign({ role: 'alert' }, statusAttr) }, L.text.serverError);
    }
    if (!node) return false;
    container.replaceChildren(node);
    return true;
  };
})();
