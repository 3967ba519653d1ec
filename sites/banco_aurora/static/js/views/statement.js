/* One account (/contas/:id): its header, its positions for the investment account, and the
 * statement as an infinite virtualized list. Amounts come unsigned from the API; the sign is
 * the direction relative to this account (origem = this account: money leaving, negative). */
import { connect, createStore, h } from '../core.js';
import { call, customerPath, ensureCustomer } from '../api.js';
import { brl, localDay, localTime, quantity, signedBrl } from '../format.js';
import { faultNotice, loading } from '../notices.js';
import { virtualList } from '../components/virtual-list.js';

const ROW_HEIGHT = 64;
const PAGE_SIZE = 25;

function movementRow(accountId) {
  return (movement) => {
    const outgoing = movement.origem === accountId;
    const cents = outgoing ? -movement.valorCentavos : movement.valorCentavos;
    return h('div', { class: `mov ${outgoing ? 'mov-saida' : 'mov-entrada'}`, 'data-id': movement.id, 'data-tipo': movement.tipo },
      h('div', { class: 'mov-quando' },
        h('time', { class: 'mov-data', datetime: movement.dataHora }, localDay(movement.dataHora)),
        h('span', { class: 'mov-hora' }, localTime(movement.dataHora))),
      h('div', { class: 'mov-descricao' }, movement.descricao),
      h('div', { class: 'mov-valor' }, signedBrl(cents)));
  };
}

function positionsTable(data) {
  return h('table', { class: 'tabela-posicoes' },
    h('thead', null, h('tr', null, ['Produto', 'Código ISIN', 'Quantidade', 'Preço unitário', 'Preço médio', 'Valor bruto', 'Vencimento']
      .map((title) => h('th', { scope: 'col' }, title)))),
    h('tbody', null, data.posicoes.map((p) => h('tr', { class: 'posicao', 'data-id': p.id, 'data-tipo': p.tipo },
      h('td', { class: 'posicao-produto' }, p.codigoNegociacao ? `${p.codigoNegociacao} · ${p.produto}` : p.produto),
      h('td', { class: 'posicao-isin' }, p.isin),
      h('td', { class: 'posicao-quantidade' }, quantity(p.quantidade)),
      h('td', { class: 'posicao-preco' }, brl(p.precoUnitarioCentavos)),
      h('td', { class: 'posicao-preco-medio' }, brl(p.precoMedioCentavos)),
      h('td', { class: 'posicao-valor' }, brl(p.valorBrutoCentavos)),
      h('td', { class: 'posicao-vencimento' }, p.vencimento ? p.vencimento.split('-').reverse().join('/') : '—')))),
    h('tfoot', null, h('tr', null, h('th', { scope: 'row', colspan: 5 }, 'Total'),
      h('td', { class: 'posicoes-total' }, brl(data.saldoCentavos)), h('td'))));
}

export function statementView({ id }, scope) {
  const local = createStore({ account: null, fault: null, positions: null, positionsFault: null });
  const header = connect(scope, local, (s) => ({ account: s.account, fault: s.fault }), ({ account, fault }) => {
    if (fault) return faultNotice(fault, 'Não foi possível carregar esta conta agora.');
    if (!account) return loading();
    const label = { CARTAO_CREDITO: 'Fatura atual', INVESTIMENTOS: 'Total investido' }[account.tipo] || 'Saldo';
    return h('header', { class: 'extrato-cabecalho', 'data-tipo': account.tipo },
      h('h1', { class: 'extrato-titulo' }, account.nome),
      h('p', { class: 'extrato-rotulo' }, label),
      h('p', { class: 'extrato-saldo' }, brl(account.saldoCentavos)));
  });
  const positions = connect(scope, local, (s) => ({ account: s.account, positions: s.positions, fault: s.positionsFault }), ({ account, positions, fault }) => {
    if (!account || account.tipo !== 'INVESTIMENTOS') return null;
    return h('section', { class: 'posicoes' }, h('h2', null, 'Meus investimentos'),
      fault ? faultNotice(fault) : positions ? positionsTable(positions) : loading('Carregando posições…'));
  });
  const list = h('div', { class: 'extrato-lista' }, loading());

  (async () => {
    const known = await ensureCustomer();
    if (!scope.alive || known.status === 401) return;
    if (known.status !== 200) return local.set({ fault: known });
    const res = await call('GET', customerPath(`/contas/${encodeURIComponent(id)}`));
    if (!scope.alive || res.status === 401) return;
    if (res.status !== 200) return local.set({ fault: res });
    local.set({ account: res.data });
    if (res.data.tipo === 'INVESTIMENTOS') {
      call('GET', customerPath(`/contas/${encodeURIComponent(id)}/posicoes`)).then((p) => {
        if (scope.alive) local.set(p.status === 200 ? { positions: p.data } : { positionsFault: p });
      });
    }
    list.replaceChildren(virtualList({
      scope, label: 'Extrato', rowHeight: ROW_HEIGHT,
      endText: 'Você chegou ao fim do extrato.',
      errorText: 'Não foi possível carregar o extrato desta conta agora. Tente novamente em alguns minutos.',
      renderRow: movementRow(id),
      fetchPage: async (cursor) => {
        const query = `?limite=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page = await call('GET', customerPath(`/contas/${encodeURIComponent(id)}/movimentacoes${query}`));
        return page.status === 200 ? { res: page, items: page.data.itens, next: page.data.proximoCursor } : { res: page };
      },
    }));
  })();

  return h('section', { class: 'tela tela-extrato', 'data-conta-id': id },
    h('a', { href: '/inicio', 'data-link': true, class: 'voltar' }, '← Início'),
    header, positions,
    h('h2', { class: 'extrato-subtitulo' }, 'Extrato'),
    list);
}
