/* The Pix section (/pix): every Pix the customer sent or received. The sign is relative to
 * the customer: they are the "pagador" (payer, money out) or the "recebedor" (payee). */
import { h } from '../core.js';
import { call, customerPath, ensureCustomer } from '../api.js';
import { localDay, localTime, signedBrl } from '../format.js';
import { faultNotice, loading } from '../notices.js';
import { virtualList } from '../components/virtual-list.js';

const ROW_HEIGHT = 96;

function pixRow(myCpf) {
  return (pix) => {
    const sent = pix.pagador.cpf === myCpf;
    const other = sent ? pix.recebedor : pix.pagador;
    return h('div', { class: `pix ${sent ? 'pix-enviado' : 'pix-recebido'}`, 'data-id': pix.endToEndId },
      h('div', { class: 'pix-quando' },
        h('time', { class: 'pix-data', datetime: pix.horario }, localDay(pix.horario)),
        h('span', { class: 'pix-hora' }, localTime(pix.horario))),
      h('div', { class: 'pix-parte' },
        h('span', { class: 'pix-direcao' }, sent ? 'Enviado para ' : 'Recebido de '),
        h('span', { class: 'pix-nome' }, other.nome), ' ',
        h('span', { class: 'pix-documento' }, other.cpf || other.cnpj), ' · ',
        h('span', { class: 'pix-instituicao' }, other.instituicao)),
      pix.infoPagador ? h('div', { class: 'pix-mensagem' }, `“${pix.infoPagador}”`) : null,
      h('div', { class: 'pix-valor' }, signedBrl(sent ? -pix.valorCentavos : pix.valorCentavos)));
  };
}

export function pixView(params, scope) {
  const body = h('div', { class: 'pix-lista' }, loading());
  (async () => {
    const known = await ensureCustomer();
    if (!scope.alive || known.status === 401) return;
    const me = known.status === 200 ? await call('GET', customerPath('')) : known;
    if (!scope.alive || me.status === 401) return;
    if (me.status !== 200) return body.replaceChildren(faultNotice(me));
    body.replaceChildren(virtualList({
      scope, label: 'Transferências Pix', rowHeight: ROW_HEIGHT,
      endText: 'Essas são todas as suas transferências Pix.',
      errorText: 'Não foi possível carregar suas transferências Pix agora.',
      renderRow: pixRow(me.data.cpfMascarado),
      fetchPage: async (cursor) => {
        const page = await call('GET', customerPath(`/pix/transferencias${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`));
        return page.status === 200 ? { res: page, items: page.data.transferencias, next: page.data.proximoCursor } : { res: page };
      },
    }));
  })();
  return h('section', { class: 'tela tela-pix' },
    h('a', { href: '/inicio', 'data-link': true, class: 'voltar' }, '← Início'),
    h('h1', null, 'Pix'),
    h('h2', null, 'Transferências'),
    body);
}
