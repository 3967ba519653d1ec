/* The page's own messages for the API's failure answers (drawn after the response came). */
import { h } from './core.js';
import { errorCode } from './api.js';

const TEXT = {
  rede: 'Não foi possível conectar ao Banco Aurora. Verifique sua internet e tente novamente.',
  manutencao: 'Estamos em manutenção programada. Tente novamente mais tarde.',
  limite: 'Muitas tentativas em pouco tempo. Aguarde um instante e tente novamente.',
  erro: 'Algo deu errado do nosso lado. Tente novamente em alguns minutos.',
};

/** An alert element for a failed answer {status, data, retryAfter}. */
export function faultNotice(res, fallbackText) {
  const code = errorCode(res);
  if (res.status === 0) return h('div', { class: 'alerta alerta-rede', role: 'alert' }, TEXT.rede);
  if (res.status === 503 || code === 'manutencao') {
    const message = (res.data && res.data.mensagem) || TEXT.manutencao;
    return h('div', { class: 'alerta alerta-manutencao', role: 'alert', 'data-retry-after': res.retryAfter || '' }, message);
  }
  if (res.status === 429) {
    const wait = res.retryAfter ? ` Você poderá tentar de novo em ${res.retryAfter} segundos.` : '';
    return h('div', { class: 'alerta alerta-limite', role: 'alert', 'data-retry-after': res.retryAfter || '' }, TEXT.limite + wait);
  }
  return h('div', { class: 'alerta alerta-erro', role: 'alert', 'data-status': res.status },
    fallbackText || TEXT.erro, res.data && res.data.codigo ? ` (código ${res.data.codigo})` : '');
}

export function loading(text) {
  return h('div', { class: 'carregando', role: 'status' }, h('span', { class: 'giro' }), text || 'Carregando…');
}
