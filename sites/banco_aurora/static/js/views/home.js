/* The overview (/inicio): one card per account, hydrated from window.__AURORA_STATE__ when the
 * server embedded it in the page, else fetched from the API. */
import { connect, h } from '../core.js';
import { call, customerPath, ensureCustomer, errorCode, session } from '../api.js';
import { brl, dayMonth } from '../format.js';
import { faultNotice, loading } from '../notices.js';
import { store } from '../store.js';
import { logout } from './auth.js';

// API type -> [card class, balance label, link text]
const KINDS = {
  CONTA_CORRENTE: ['conta-corrente', 'Saldo disponível', 'Ver extrato'],
  POUPANCA: ['conta-poupanca', 'Saldo', 'Ver extrato'],
  CARTAO_CREDITO: ['conta-cartao', 'Fatura atual', 'Ver lançamentos'],
  INVESTIMENTOS: ['conta-investimentos', 'Total investido', 'Ver investimentos'],
};

/** Take the embedded state once: it describes the page as first served, not later visits. */
function takeEmbeddedState() {
  const state = window.__AURORA_STATE__;
  window.__AURORA_STATE__ = undefined;
  if (!state) return null;
  if (!session.customerId()) session.rememberCustomer(state.cliente.clienteId); // a new tab
  return state.cliente.clienteId === session.customerId() ? state : null;
}

export async function loadAccounts(scope, router) {
  const embedded = takeEmbeddedState();
  if (embedded) {
    store.set({ profile: embedded.cliente, accounts: embedded.contas, accountsFault: null });
    return;
  }
  const known = await ensureCustomer();
  if (!scope.alive || known.status !== 200) {
    if (known.status !== 401 && scope.alive) store.set({ accountsFault: known });
    return;
  }
  const [profile, accounts] = await Promise.all([call('GET', customerPath('')), call('GET', customerPath('/contas'))]);
  if (!scope.alive || accounts.status === 401) return;
  if (errorCode(accounts) === 'termos_pendentes') {
    const terms = await call('GET', '/v1/termos/pendentes');
    if (scope.alive && terms.status === 200 && terms.data.pendentes.length) {
      store.set({ terms: terms.data.pendentes[0] });
      router.go('/termos', { replace: true });
    }
    return;
  }
  if (accounts.status !== 200) return store.set({ accountsFault: accounts });
  store.set({ profile: profile.status === 200 ? profile.data : null, accounts: accounts.data.contas, accountsFault: null });
}

function accountCard(account) {
  const [kind, label, action] = KINDS[account.tipo] || ['conta-outra', 'Saldo', 'Ver extrato'];
  const number = account.tipo === 'CARTAO_CREDITO'
    ? `Mastercard •••• ${account.final}`
    : `Ag. ${account.agencia} · Conta ${account.numero}`;
  const extra = account.tipo === 'CARTAO_CREDITO' ? [
    h('p', { class: 'conta-fatura' }, `Fecha em ${dayMonth(account.fatura.fechamento)} · Vence em ${dayMonth(account.fatura.vencimento)}`),
    h('p', { class: 'conta-limite' }, 'Limite disponível ', h('span', { class: 'conta-limite-valor' }, brl(account.limiteDisponivelCentavos))),
  ] : [];
  return h('article', { class: `conta ${kind}`, 'data-conta-id': account.id, 'data-tipo': account.tipo },
    h('h2', { class: 'conta-nome' }, account.nome),
    h('p', { class: 'conta-numero' }, number),
    h('p', { class: 'conta-rotulo' }, label),
    h('p', { class: 'conta-saldo' }, brl(account.saldoCentavos)),
    extra,
    h('a', { class: 'conta-link', href: `/contas/${encodeURIComponent(account.id)}`, 'data-link': true }, action));
}

export function homeView(params, scope, router) {
  const greeting = connect(scope, store, (s) => ({ profile: s.profile }), ({ profile }) =>
    h('h1', { class: 'saudacao' }, profile ? `Olá, ${profile.primeiroNome}` : 'Olá'));
  const body = connect(scope, store, (s) => ({ accounts: s.accounts, fault: s.accountsFault }), ({ accounts, fault }) => {
    if (fault) return faultNotice(fault, 'Não foi possível carregar suas contas agora. Tente novamente em alguns minutos.');
    if (!accounts) return loading('Carregando suas contas…');
    return h('div', { id: 'contas', class: 'contas' }, accounts.map(accountCard));
  }, { class: 'inicio-contas' });
  store.set({ accountsFault: null });
  loadAccounts(scope, router);
  return h('section', { class: 'tela tela-inicio' },
    h('header', { class: 'inicio-topo' }, greeting,
      h('button', { type: 'button', class: 'sair', on: { click: () => logout(router, 'saiu') } }, 'Sair')),
    h('nav', { class: 'atalhos', 'aria-label': 'Atalhos' },
      h('a', { href: '/pix', 'data-link': true, class: 'atalho atalho-pix' }, 'Pix')),
    body);
}
