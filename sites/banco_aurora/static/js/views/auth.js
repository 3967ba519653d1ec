/* Login views: CPF + password, approval in the Aurora app (polled), e-mail code, new terms. */
import { h } from '../core.js';
import { call, errorCode, session } from '../api.js';
import { maskCpf, validCpf } from '../format.js';
import { faultNotice } from '../notices.js';
import { store } from '../store.js';

const FLASH = {
  'sessao-expirada': 'Sua sessão expirou. Por segurança, entre novamente.',
  saiu: 'Você saiu da sua conta.',
};

/** After a token: keep it, then show the new terms if any, else the overview. */
async function finishLogin(answer, router, scope) {
  session.save(answer);
  store.set({ pending: null, flash: null, accounts: null, profile: null });
  const res = await call('GET', '/v1/termos/pendentes');
  if (!scope.alive || res.status === 401) return;
  if (res.status === 200 && res.data && res.data.pendentes.length) {
    store.set({ terms: res.data.pendentes[0] });
    return router.go('/termos');
  }
  router.go('/inicio');
}

function busy(form, on, label) {
  const button = form.querySelector('button[type=submit]');
  form.setAttribute('aria-busy', on ? 'true' : 'false');
  button.disabled = on;
  if (label) button.textContent = label;
}

export function loginView(params, scope, router) {
  const alerts = h('div', { class: 'avisos' });
  const flash = store.get().flash;
  if (flash) alerts.append(h('div', { class: `alerta alerta-${flash}`, role: 'status' }, FLASH[flash]));
  const cpf = h('input', { id: 'cpf', name: 'cpf', inputmode: 'numeric', autocomplete: 'username',
    placeholder: '000.000.000-00', maxlength: 14, 'aria-describedby': 'cpf-erro' });
  const cpfError = h('p', { id: 'cpf-erro', class: 'erro-campo', hidden: true }, 'CPF inválido. Confira os números digitados.');
  const password = h('input', { id: 'senha', name: 'senha', type: 'password', autocomplete: 'current-password' });
  const form = h('form', { id: 'form-entrar', novalidate: true },
    h('label', { for: 'cpf' }, 'CPF'), cpf, cpfError,
    h('label', { for: 'senha' }, 'Senha'), password,
    h('button', { type: 'submit', id: 'entrar', class: 'botao' }, 'Entrar'));
  cpf.addEventListener('input', () => { cpf.value = maskCpf(cpf.value); cpfError.hidden = true; });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    alerts.replaceChildren();
    if (!validCpf(cpf.value)) {
      cpfError.hidden = false;
      return;
    }
    busy(form, true, 'Entrando…');
    const res = await call('POST', '/v1/auth/login', {
      auth: false, body: { cpf: cpf.value, senha: password.value, dispositivoId: session.deviceId() } });
    if (!scope.alive) return;
    busy(form, false, 'Entrar');
    const status = res.data && res.data.status;
    if (res.status === 200 && status === 'autenticado') return finishLogin(res.data, router, scope);
    if (res.status === 200 && (status === 'aprovacao_pendente' || status === 'codigo_email')) {
      store.set({ pending: res.data });
      return router.go(status === 'codigo_email' ? '/codigo' : '/aprovacao');
    }
    password.value = '';
    const code = errorCode(res);
    if (code === 'credenciais_invalidas') {
      alerts.append(h('div', { class: 'alerta alerta-credenciais', role: 'alert' },
        'CPF ou senha incorretos. Confira os dados e tente novamente.'));
    } else if (code === 'conta_bloqueada') {
      alerts.append(h('div', { class: 'alerta alerta-bloqueio', role: 'alert' }, res.data.mensagem));
    } else {
      alerts.append(faultNotice(res));
    }
  });
  return h('section', { class: 'tela tela-entrar' },
    h('h1', null, 'Acesse sua conta'),
    h('p', { class: 'subtitulo' }, 'Use o CPF e a senha do app Aurora.'),
    alerts, form);
}

export function approvalView(params, scope, router) {
  const pending = store.get().pending; // the route's guard made sure there is one
  const screen = h('section', { class: 'tela tela-aprovacao', 'data-status': 'pendente' });
  const countdown = h('p', { class: 'aprovacao-contagem', 'aria-live': 'polite' });
  const result = h('div', { class: 'aprovacao-resultado' });
  const again = () => h('a', { href: '/entrar', 'data-link': true, class: 'botao botao-secundario' }, 'Tentar novamente');
  const tell = (seconds) => { countdown.textContent = `A solicitação expira em ${seconds} s.`; };
  tell(pending.expiraEmSegundos);
  screen.append(
    h('h1', null, 'Aprove o acesso no app Aurora'),
    h('div', { class: 'aprovacao-celular', 'aria-hidden': 'true' }, '📱'),
    h('p', { class: 'aprovacao-instrucao' }, 'Enviamos uma notificação para o ',
      h('strong', null, pending.dispositivo), '. Abra o app Aurora e toque em ',
      h('strong', null, 'Aprovar acesso'), '.'),
    countdown, result,
    h('p', { class: 'aprovacao-ajuda' }, 'Não reconhece este acesso? Toque em Recusar no app.'));

  const end = (status, node) => {
    screen.setAttribute('data-status', status);
    countdown.remove();
    store.set({ pending: null });
    result.replaceChildren(node, again());
  };
  const poll = async () => {
    const res = await call('GET', `/v1/auth/approval/${encodeURIComponent(pending.aprovacaoId)}`, { auth: false });
    if (!scope.alive) return;
    const status = res.data && res.data.status;
    if (res.status === 200 && status === 'aprovado') {
      screen.setAttribute('data-status', 'aprovado');
      countdown.textContent = 'Acesso aprovado. Entrando…';
      return finishLogin(res.data, router, scope);
    }
    if (res.status === 200 && status === 'pendente') {
      tell(res.data.expiraEmSegundos);
      return scope.timer(poll, pending.intervaloSegundos * 1000);
    }
    if (status === 'recusado') {
      return end('recusado', h('div', { class: 'alerta alerta-recusado', role: 'alert' },
        'Você recusou este acesso no app Aurora. Se não foi você, ligue para a Central Aurora: 0800 725 2026.'));
    }
    if (status === 'expirado' || errorCode(res) === 'aprovacao_inexistente') {
      return end('expirado', h('div', { class: 'alerta alerta-expirado', role: 'alert' },
        'O tempo para aprovar o acesso terminou. Entre novamente para receber uma nova notificação.'));
    }
    end('erro', faultNotice(res));
  };
  scope.timer(poll, pending.intervaloSegundos * 1000);
  return screen;
}

export function codeView(params, scope, router) {
  const pending = store.get().pending;
  const alerts = h('div', { class: 'avisos' });
  const boxes = Array.from({ length: pending.digitos }, (_, i) => h('input', {
    class: 'codigo-digito', name: `digito-${i + 1}`, inputmode: 'numeric', maxlength: 1,
    autocomplete: i === 0 ? 'one-time-code' : 'off', 'aria-label': `Dígito ${i + 1} de ${pending.digitos}`,
  }));
  boxes.forEach((box, i) => {
    box.addEventListener('input', () => {
      const digits = box.value.replace(/\D/g, '');
      if (digits.length > 1) { // a paste, or autofill of the whole code into one box
        digits.split('').slice(0, boxes.length - i).forEach((d, k) => { boxes[i + k].value = d; });
        boxes[Math.min(i + digits.length, boxes.length) - 1].focus();
        return;
      }
      box.value = digits;
      if (digits && i + 1 < boxes.length) boxes[i + 1].focus();
    });
    box.addEventListener('keydown', (event) => {
      if (event.key === 'Backspace' && !box.value && i > 0) boxes[i - 1].focus();
    });
  });
  const form = h('form', { id: 'form-codigo', novalidate: true },
    h('div', { class: 'codigo-caixas', role: 'group', 'aria-label': 'Código de acesso' }, boxes),
    h('button', { type: 'submit', id: 'confirmar-codigo', class: 'botao' }, 'Confirmar'));
  const clear = () => { boxes.forEach((b) => { b.value = ''; }); boxes[0].focus(); };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    alerts.replaceChildren();
    const code = boxes.map((b) => b.value).join('');
    if (code.length !== boxes.length) {
      alerts.append(h('div', { class: 'alerta alerta-codigo', role: 'alert' }, 'Digite os 6 dígitos do código.'));
      return;
    }
    busy(form, true);
    const res = await call('POST', '/v1/auth/codigo', { auth: false, body: { desafioId: pending.desafioId, codigo: code } });
    if (!scope.alive) return;
    busy(form, false);
    if (res.status === 200 && res.data && res.data.status === 'autenticado') return finishLogin(res.data, router, scope);
    const failure = errorCode(res);
    if (failure === 'codigo_invalido') {
      const left = res.data.tentativasRestantes;
      alerts.append(h('div', { class: 'alerta alerta-codigo', role: 'alert', 'data-tentativas': left },
        `Código inválido. Você tem mais ${left} ${left === 1 ? 'tentativa' : 'tentativas'}.`));
      return clear();
    }
    store.set({ pending: null });
    form.remove();
    const text = failure === 'codigo_bloqueado'
      ? 'Código bloqueado após 3 tentativas. Entre novamente para receber um novo código.'
      : 'Este código expirou. Entre novamente para receber um novo código.';
    alerts.append(h('div', { class: `alerta alerta-${failure === 'codigo_bloqueado' ? 'bloqueio' : 'expirado'}`, role: 'alert' }, text),
      h('a', { href: '/entrar', 'data-link': true, class: 'botao botao-secundario' }, 'Voltar ao início'));
  });
  setTimeout(() => boxes[0].focus(), 0);
  return h('section', { class: 'tela tela-codigo' },
    h('h1', null, 'Confirme que é você'),
    h('p', { class: 'codigo-destino' }, 'Enviamos um código de 6 dígitos para ',
      h('strong', null, pending.destino), '. Ele vale por 10 minutos.'),
    alerts, form);
}

export function termsView(params, scope, router) {
  const terms = store.get().terms;
  const alerts = h('div', { class: 'avisos' });
  const accept = h('input', { type: 'checkbox', id: 'aceite-termos', name: 'aceite' });
  const submit = h('button', { type: 'submit', id: 'aceitar-termos', class: 'botao', disabled: true }, 'Aceitar e continuar');
  accept.addEventListener('change', () => { submit.disabled = !accept.checked; });
  const form = h('form', { id: 'form-termos' },
    h('label', { class: 'aceite', for: 'aceite-termos' }, accept, ` Li e aceito os ${terms.titulo}`),
    submit,
    h('button', { type: 'button', class: 'botao botao-secundario agora-nao', on: { click: () => logout(router, 'saiu') } }, 'Agora não'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    busy(form, true);
    const res = await call('POST', '/v1/termos/aceite', { body: { versao: terms.versao } });
    if (!scope.alive) return;
    busy(form, false);
    if (res.status === 200) {
      store.set({ terms: null });
      return router.go('/inicio');
    }
    alerts.replaceChildren(faultNotice(res));
  });
  const [y, m, d] = terms.vigencia.split('-');
  return h('section', { class: 'tela tela-termos', 'data-versao': terms.versao },
    h('h1', null, 'Termos atualizados'),
    h('p', { class: 'termos-resumo' }, terms.resumo),
    h('p', { class: 'termos-versao' }, `Versão ${terms.versao}, vigente a partir de ${d}/${m}/${y}.`),
    alerts, form);
}

export async function logout(router, flash) {
  await call('POST', '/v1/auth/logout');
  session.clear();
  store.set({ profile: null, accounts: null, terms: null, flash });
  router.go('/entrar');
}
