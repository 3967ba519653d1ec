// Account page tabs. A tab's panel is fetched from the tab's data-src (an HTML fragment) the
// first time the tab is shown, and "Show older transactions" appends the next page of the
// Recent fragment. Nothing here runs until the member clicks, as on the real site.
(function () {
  'use strict';
  var tabs = Array.prototype.slice.call(document.querySelectorAll('[role="tab"]'));
  var busy = false;

  function failure() {
    return '<div class="alert alert-danger" role="alert" data-testid="tab-error">' +
      'We couldn\'t load this information. Please try again.</div>';
  }

  function fetchHtml(url) {
    return fetch(url, {credentials: 'same-origin', headers: {'Accept': 'text/html'}})
      .then(function (response) {
        if (!response.ok) { throw new Error('HTTP ' + response.status); }
        return response.text();
      });
  }

  function select(tab) {
    tabs.forEach(function (other) {
      var on = other === tab;
      other.setAttribute('aria-selected', on ? 'true' : 'false');
      other.classList.toggle('active', on);
      document.getElementById(other.getAttribute('aria-controls')).hidden = !on;
    });
    if (tab.dataset.loaded) { return; }
    var panel = document.getElementById(tab.getAttribute('aria-controls'));
    panel.innerHTML = '<div class="spinner" role="status" data-testid="loading">Loading…</div>';
    fetchHtml(tab.dataset.src).then(function (html) {
      panel.innerHTML = html;
      tab.dataset.loaded = 'true';
    }, function () { panel.innerHTML = failure(); });
  }

  function older(link) {
    if (busy) { return; }
    busy = true;
    var recent = link.closest('[data-testid="recent"]');
    link.textContent = 'Loading…';
    fetchHtml(link.href).then(function (html) {
      var next = new DOMParser().parseFromString(html, 'text/html')
        .querySelector('[data-testid="recent"]');
      var body = recent.querySelector('[data-testid="recent-rows"]');
      next.querySelectorAll('[data-testid="recent-rows"] > tr').forEach(function (row) {
        body.appendChild(document.importNode(row, true));
      });
      var count = recent.querySelector('[data-testid="recent-count"]');
      count.textContent = 'Showing 1–' + body.children.length + ' of ' + count.dataset.total +
        ' transactions';
      var mine = recent.querySelector('[data-testid="recent-more"]');
      var theirs = next.querySelector('[data-testid="recent-more"]');
      if (theirs) { mine.replaceWith(document.importNode(theirs, true)); } else { mine.remove(); }
      recent.dataset.page = next.dataset.page;
    }, function () {
      link.textContent = 'Show older transactions';
    }).then(function () { busy = false; });
  }

  document.addEventListener('click', function (event) {
    var tab = event.target.closest('[role="tab"]');
    if (tab) { event.preventDefault(); select(tab); return; }
    var link = event.target.closest('[data-testid="recent-older"]');
    if (link) { event.preventDefault(); older(link); }
  });
}());
