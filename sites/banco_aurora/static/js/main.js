/* Banco Aurora's web app: routes, guards and what happens when the session ends. */
import { createRouter } from './core.js';
import { events, session } from './api.js';
import { store } from './store.js';
import { approvalView, codeView, loginView, termsView } from './views/auth.js';
import { homeView } from './views/home.js';
import { statementView } from './views/statement.js';
import { pixView } from './views/pix.js';

const loggedIn = () => (session.token() ? null : '/entrar');
const pendingWith = (key) => () => (store.get().pending && store.get().pending[key] ? null : '/entrar');

const routes = [
  { path: '/entrar', title: 'Entrar', view: loginView, guard: () => (session.token() ? '/inicio' : null) },
  { path: '/aprovacao', title: 'Aprove o acesso', view: approvalView, guard: pendingWith('aprovacaoId') },
  { path: '/codigo', title: 'Código de acesso', view: codeView, guard: pendingWith('desafioId') },
  { path: '/termos', title: 'Termos atualizados', view: termsView,
    guard: () => loggedIn() || (store.get().terms ? null : '/inicio') },
  { path: '/inicio', title: 'Início', view: homeView, guard: loggedIn },
  { path: '/contas/:id', title: 'Extrato', view: statementView, guard: loggedIn },
  { path: '/pix', title: 'Pix', view: pixView, guard: loggedIn },
];

const router = createRouter(routes, document.getElementById('app'),
  () => (session.token() ? '/inicio' : '/entrar'));

events.addEventListener('sessao-expirada', () => {
  if (!session.token()) return;
  session.clear();
  store.set({ profile: null, accounts: null, terms: null, pending: null, flash: 'sessao-expirada' });
  router.go('/entrar', { replace: true });
});

router.start();
