/* An infinite, virtualized list: rows are fetched page by page (API cursor) as the customer
 * scrolls near the end, and only the rows near the viewport exist in the DOM.
 *
 * There is no "next" link or button: a scraper must scroll the list's own viewport
 * (div.lista-virtual) until the end marker (.lista-fim) appears, collecting rows as they pass
 * (in "virtual" mode, rows far above the viewport are removed again, as react-window does;
 * in "append" mode every loaded row stays). Each row carries data-id and data-indice.
 */
import { h } from '../core.js';
import { faultNotice } from '../notices.js';

const MODE = (document.querySelector('meta[name="aurora-lista"]') || {}).content || 'virtual';

/**
 * @param {object} o
 * @param {(cursor: string|undefined) => Promise<{res, items?, next?}>} o.fetchPage
 * @param {(item, index: number) => HTMLElement} o.renderRow  (sets the row's data-id)
 */
export function virtualList({ scope, label, rowHeight, height = 480, overscan = 4, fetchPage, renderRow, endText, errorText }) {
  const items = [];
  let cursor;           // undefined: first page not loaded; null: no more pages
  let loading = false;
  let failed = false;
  const virtual = MODE === 'virtual';
  const rows = h('div', { class: 'lista-linhas', style: virtual ? { position: 'relative', height: '0px' } : {} });
  const footer = h('div', { class: 'lista-rodape' });
  const viewport = h('div', {
    class: `lista-virtual modo-${MODE}`, role: 'list', 'aria-label': label, tabindex: 0,
    'data-modo': MODE, style: { height: `${height}px`, overflowY: 'auto', position: 'relative' },
  }, rows, footer);

  function place(row, index) {
    row.setAttribute('role', 'listitem');
    row.setAttribute('data-indice', String(index));
    row.setAttribute('aria-posinset', String(index + 1));
    row.setAttribute('aria-setsize', cursor === null ? String(items.length) : '-1');
    row.style.height = `${rowHeight}px`;
    if (virtual) Object.assign(row.style, { position: 'absolute', top: `${index * rowHeight}px`, left: '0', right: '0' });
    return row;
  }

  function draw() {
    if (!virtual) {
      for (let i = rows.children.length; i < items.length; i++) rows.append(place(renderRow(items[i], i), i));
      return;
    }
    rows.style.height = `${items.length * rowHeight}px`;
    const first = Math.max(0, Math.floor(viewport.scrollTop / rowHeight) - overscan);
    const last = Math.min(items.length, Math.ceil((viewport.scrollTop + height) / rowHeight) + overscan);
    const kept = new Map();
    for (const node of [...rows.children]) {
      const index = Number(node.getAttribute('data-indice'));
      if (index >= first && index < last) kept.set(index, node);
      else node.remove();
    }
    const ordered = [];
    for (let i = first; i < last; i++) ordered.push(kept.get(i) || place(renderRow(items[i], i), i));
    rows.replaceChildren(...ordered);
  }

  function nearEnd() {
    return viewport.scrollTop + viewport.clientHeight >= viewport.scrollHeight - rowHeight * 3;
  }

  async function loadMore() {
    if (loading || failed || cursor === null) return;
    loading = true;
    viewport.setAttribute('aria-busy', 'true');
    footer.replaceChildren(h('div', { class: 'lista-carregando', role: 'status' }, 'Carregando mais…'));
    const page = await fetchPage(cursor);
    if (!scope.alive) return;
    loading = false;
    viewport.setAttribute('aria-busy', 'false');
    if (!page.items) {
      failed = true;
      footer.replaceChildren(faultNotice(page.res, errorText));
      return;
    }
    items.push(...page.items);
    cursor = page.next || null;
    footer.replaceChildren(cursor === null
      ? h('div', { class: 'lista-fim' }, items.length ? endText : 'Nenhum lançamento no período.')
      : '');
    draw();
    if (cursor !== null && nearEnd()) loadMore();
  }

  const onScroll = () => {
    if (virtual) draw();
    if (nearEnd()) loadMore();
  };
  viewport.addEventListener('scroll', onScroll, { passive: true });
  scope.add(() => viewport.removeEventListener('scroll', onScroll));
  loadMore();
  return viewport;
}
