/* Banco Aurora's tiny UI core: elements, a store, connected components, scopes, a router.
 *
 * Views are functions that build DOM once; the parts that depend on data are *connected*
 * components that re-render from a store slice when it changes (forms are never re-rendered,
 * so typing is never lost). Routing uses the History API (real paths, not #hashes): the
 * server answers the same shell for every app path.
 */

/** Build an element. Strings become text nodes, never HTML. */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'on') for (const [name, fn] of Object.entries(value)) el.addEventListener(name, fn);
    else if (key === 'style') Object.assign(el.style, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** A store: one immutable state object, replaced by set(), observed by subscribers. */
export function createStore(initial) {
  let state = initial;
  const listeners = new Set();
  return {
    get: () => state,
    set(patch) {
      const next = typeof patch === 'function' ? patch(state) : { ...state, ...patch };
      if (next === state) return;
      state = next;
      for (const listener of [...listeners]) listener(state);
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}

/** The lifetime of a view: subscriptions and timers end when the router leaves it. */
export class Scope {
  constructor() {
    this.alive = true;
    this.cleanups = [];
  }
  add(cleanup) {
    if (this.alive) this.cleanups.push(cleanup);
    else cleanup();
  }
  timer(fn, ms) {
    const id = setTimeout(() => { if (this.alive) fn(); }, ms);
    this.add(() => clearTimeout(id));
  }
  dispose() {
    this.alive = false;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }
}

function sameSlice(a, b) {
  if (Object.is(a, b)) return true;
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.is(a[k], b[k]));
}

/** A component bound to store.select(state): rendered now and whenever that slice changes. */
export function connect(scope, store, select, render, props) {
  const host = h('div', props);
  let last = Symbol('nothing rendered yet');
  const update = (state) => {
    const slice = select(state);
    if (sameSlice(slice, last)) return;
    last = slice;
    host.replaceChildren();
    append(host, [render(slice)]);
  };
  update(store.get());
  scope.add(store.subscribe(update));
  return host;
}

function matchPath(pattern, path) {
  const want = pattern.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  if (want.length !== got.length) return null;
  const params = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return null;
  }
  return params;
}

/** History-API router: routes are {path, view, guard?, title}; links need data-link. */
export function createRouter(routes, outlet, fallback) {
  let scope = null;
  const router = {
    current: null,
    go(path, { replace = false } = {}) {
      if (path !== location.pathname) history[replace ? 'replaceState' : 'pushState'](null, '', path);
      router.render();
    },
    render() {
      const path = location.pathname;
      let found = null;
      for (const route of routes) {
        const params = matchPath(route.path, path);
        if (params) { found = { route, params }; break; }
      }
      if (!found) return router.go(fallback(), { replace: true });
      const redirect = found.route.guard ? found.route.guard() : null;
      if (redirect) return router.go(redirect, { replace: true });
      if (scope) scope.dispose();
      scope = new Scope();
      router.current = found.route.path;
      document.title = `${found.route.title} · Banco Aurora`;
      outlet.replaceChildren(found.route.view(found.params, scope, router));
      window.scrollTo(0, 0);
    },
    start() {
      document.addEventListener('click', (event) => {
        const link = event.target.closest('a[data-link]');
        if (!link || event.defaultPrevented || event.button !== 0) return;
        if (event.metaKey || event.ctrlKey || event.shiftKey) return;
        event.preventDefault();
        router.go(link.getAttribute('href'));
      });
      window.addEventListener('popstate', () => router.render());
      router.render();
    },
  };
  return router;
}
