/* NeoBanque single-page app: hash router and the four views (login, SMS code, accounts, history).
 *
 * Everything the customer sees is fetched as JSON and rendered here, in the French locale, so a
 * scraper has to execute this script and parse "1 234,56 €" and "20/11/2026" back into data.
 * In-app links are routed synchronously on click, so the next view (and its loading indicator)
 * is in the DOM by the time the click has been dispatched.
 */
(function () {
  'use strict';
  var NB = window.NB;
  var L = NB.layout;
  var T = L.text;
  var el = NB.el;
  var app = document.getElementById('app');

  var memory = { challenge: null, hint: '', accounts: null };
  var currentHash = null;
  var viewSeq = 0;

  function money(amount, currency) {
    return new Intl.NumberFormat('fr-FR', { style: 'currency', currency: currency }).format(Number(amount));
  }

  function frenchDate(iso) {
    var p = iso.split('-').map(Number); // local date: no UTC shift to the previous day
    return new Date(p[0], p[1] - 1, p[2]).toLocaleDateString('fr-FR');
  }

  function attr(name, value) {
    var attrs = {};
    attrs[name] = value;
    return attrs;
  }

  function submitControl(text) {
    if (L.submitKind === 'input') return el({ tag: 'input', class: 'cta' }, { attrs: { type: 'submit', value: text } });
    return el({ tag: 'button' }, { attrs: { type: 'submit' } }, text);
  }

  function field(label, attrs) {
    return el({ tag: 'label', class: 'field' }, null, el({ tag: 'span' }, null, label), el({ tag: 'input' }, { attrs: attrs }));
  }

  /* Replace the current view; returns a token that async work checks before touching the DOM,
   * so a late answer never renders into a view the customer has already left. */
  function mount(node) {
    viewSeq += 1;
    app.replaceChildren(node);
    window.scrollTo(0, 0);
    return viewSeq;
  }

  function alive(seq) {
    return seq === viewSeq;
  }

  function navigate(hash) {
    if (location.hash !== hash) location.hash = hash;
    route();
  }

  function route() {
    currentHash = location.hash || '#/login';
    var match = /^#\/accounts\/([^/]+)$/.exec(currentHash);
    if (match) return accountView(decodeURIComponent(match[1]));
    if (currentHash === '#/accounts') return accountsView();
    if (currentHash === '#/otp') return otpView();
    return loginView();
  }

  function expired() {
    memory.accounts = null;
    navigate('#/login');
  }

  // -- login ---------------------------------------------------------------------------------
  function loginView() {
    var alerts = el({ tag: 'div', class: 'alerts' });
    var form = el(L.loginForm, { attrs: { novalidate: '' } },
      field(T.email, { name: L.fields.email, type: 'email', autocomplete: 'username' }),
      field(T.password, { name: L.fields.password, type: 'password', autocomplete: 'current-password' }),
      submitControl(T.login));
    var seq = mount(el(L.loginView, null, el({ tag: 'h2' }, null, T.loginTitle), alerts, form));
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      alerts.replaceChildren();
      var body = { email: form.elements[L.fields.email].value, password: form.elements[L.fields.password].value };
      NB.busy(async function () {
        var res = await NB.request('POST', '/api/session', body);
        if (!alive(seq)) return;
        var status = res.data && res.data.status;
        if (res.status === 200 && status === 'ok') return navigate('#/accounts');
        if (res.status === 200 && status === 'otp_required') {
          memory.challenge = res.data.challenge;
          memory.hint = res.data.hint || '';
          return navigate('#/otp');
        }
        if (NB.errorCode(res) === 'invalid_credentials') {
          alerts.replaceChildren(el(L.loginError, { attrs: { role: 'alert' } }, T.loginError));
          form.elements[L.fields.password].value = '';
          return;
        }
        NB.showFault(alerts, res);
      });
    });
  }

  // -- SMS code ------------------------------------------------------------------------------
  function otpView() {
    if (!memory.challenge) return navigate('#/login');
    var alerts = el({ tag: 'div', class: 'alerts' });
    var form = el(L.otpForm, { attrs: { novalidate: '' } },
      el(L.otpHint, null, T.otpHint + memory.hint),
      field(T.otpLabel, { name: L.fields.otp, inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6' }),
      submitControl(T.otpSubmit));
    var seq = mount(el(L.otpView, null, el({ tag: 'h2' }, null, T.otpTitle), alerts, form));
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      alerts.replaceChildren();
      var input = form.elements[L.fields.otp];
      var body = { challenge: memory.challenge, code: input.value };
      NB.busy(async function () {
        var res = await NB.request('POST', '/api/session/otp', body);
        if (!alive(seq)) return;
        var code = NB.errorCode(res);
        if (res.status === 200 && res.data && res.data.status === 'ok') {
          memory.challenge = null;
          return navigate('#/accounts');
        }
        if (code === 'invalid_otp') {
          input.value = '';
          alerts.replaceChildren(el(L.otpError, { attrs: Object.assign({ role: 'alert' },
            attr(L.attr.attemptsLeft, res.data.attempts_left)) }, T.otpError));
          return;
        }
        if (code === 'otp_expired' || code === 'invalid_challenge' || code === 'account_locked') {
          memory.challenge = null;
          form.remove();
        }
        if (code === 'otp_expired' || code === 'invalid_challenge') {
          alerts.replaceChildren(el(L.otpExpired, { attrs: { role: 'alert' } }, T.otpExpired, ' ',
            el({ tag: 'a', class: 'restart' }, { attrs: { href: '#/login' } }, T.restart)));
          return;
        }
        NB.showFault(alerts, res);
      });
    });
  }

  // -- accounts ------------------------------------------------------------------------------
  function accountCard(account) {
    return el(L.accountCard, { attrs: attr(L.attr.accountId, account.id) },
      el(L.accountLink, { attrs: { href: '#/accounts/' + encodeURIComponent(account.id) } },
        el(L.accountName, null, account.name),
        el(L.accountIban, null, account.iban),
        el(L.accountBalance, null, money(account.balance.amount, account.balance.currency))));
  }

  function logoutButton() {
    return el(L.logout, { attrs: { type: 'button' }, on: { click: function () {
      NB.busy(async function () {
        await NB.request('DELETE', '/api/session');
        expired();
      });
    } } }, T.logout);
  }

  function accountsView() {
    var bar = el(L.customerBar, null, logoutButton());
    var body = el({ tag: 'div', class: 'accounts-area' });
    var seq = mount(el(L.dashboardView, null, bar, el({ tag: 'h2' }, null, T.accountsTitle), body));
    NB.busy(async function () {
      var who = NB.request('GET', '/api/me').then(function (res) {
        if (alive(seq) && res.status === 200 && res.data) bar.prepend(el(L.customerName, null, res.data.name));
      });
      var res = await NB.request('GET', '/api/accounts');
      await who;
      if (!alive(seq)) return;
      if (res.status === 401) return expired();
      if (res.status === 200 && Array.isArray(res.data)) {
        memory.accounts = res.data;
        body.replaceChildren(el.apply(null, [L.accounts, null].concat(res.data.map(accountCard))));
        return;
      }
      NB.showFault(body, res);
    });
  }

  // -- one account's history -----------------------------------------------------------------
  function txItem(tx) {
    return el(L.tx, { attrs: attr(L.attr.txId, tx.id) },
      el(L.txDate, null, frenchDate(tx.date)),
      el(L.txLabel, null, tx.label),
      el(L.txAmount, null, money(tx.amount, tx.currency)));
  }

  function accountView(accountId) {
    var head = el({ tag: 'div', class: 'account-head' });
    var body = el({ tag: 'div', class: 'history' });
    var seq = mount(el(L.accountView, null, el(L.back, { attrs: { href: '#/accounts' } }, T.back), head, body));
    var list = null;
    var more = null;
    var failure = el({ tag: 'div', class: 'history-status' });

    async function loadPage(cursor) {
      var query = '?limit=20' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : '');
      var res = await NB.request('GET', '/api/accounts/' + encodeURIComponent(accountId) + '/transactions' + query);
      if (!alive(seq)) return;
      if (res.status === 401) return expired();
      if (res.status !== 200 || !res.data || !Array.isArray(res.data.items)) {
        if (res.status === 429 || res.status === 503 || NB.isMaintenance(res) || NB.errorCode(res) === 'captcha_required') {
          NB.showFault(failure, res);
        } else {
          failure.replaceChildren(el(L.txError, { attrs: Object.assign({ role: 'alert' }, attr(L.attr.status, res.status)) }, T.txError));
        }
        if (more) more.disabled = false;
        if (!failure.isConnected) body.append(failure);
        return;
      }
      failure.remove();
      failure.replaceChildren();
      if (!list) {
        list = el(L.txList);
        body.prepend(list);
      }
      list.append.apply(list, res.data.items.map(txItem));
      var next = res.data.next_cursor;
      if (!next) {
        if (more) more.remove();
        more = null;
        return;
      }
      if (!more) {
        more = el(L.showMore, { attrs: { type: 'button' } }, T.showMore);
        more.addEventListener('click', function () {
          more.disabled = true;
          NB.busy(function () { return loadPage(more.getAttribute('data-cursor')); });
        });
        body.append(more);
      }
      more.setAttribute('data-cursor', next);
      more.disabled = false;
    }

    NB.busy(async function () {
      if (!memory.accounts) {
        var res = await NB.request('GET', '/api/accounts');
        if (!alive(seq)) return;
        if (res.status === 401) return expired();
        if (res.status !== 200 || !Array.isArray(res.data)) return NB.showFault(body, res);
        memory.accounts = res.data;
      }
      var account = memory.accounts.find(function (a) { return a.id === accountId; });
      if (!account) {
        body.replaceChildren(el(L.serverError, { attrs: attr(L.attr.status, 404) }, T.notFound));
        return;
      }
      head.append(el(L.accountTitle, null, account.name),
        el({ tag: 'p', class: 'account-meta' }, null, account.iban + ' · ' + money(account.balance.amount, account.balance.currency)));
      await loadPage(null);
    });
  }

  // -- boot ----------------------------------------------------------------------------------
  window.addEventListener('hashchange', function () {
    if ((location.hash || '#/login') !== currentHash) route();
  });
  document.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('a[href^="#/"]');
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) return;
    event.preventDefault();
    navigate(link.getAttribute('href'));
  });
  route();
})();
