/* pt-BR formatting as the app shows it: "R$ 1.234,56", "19 de nov. de 2026", "23:30".
 *
 * Dates and times are shown in Brasília time whatever the offset the API used (movements
 * carry -03:00, the Pix section UTC), so a Pix at 23:30 on the 19th reads "19 de nov.".
 */

const ZONE = 'America/Sao_Paulo';
const money = new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' });
const signedMoney = new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL', signDisplay: 'always' });
const day = new Intl.DateTimeFormat('pt-BR', { timeZone: ZONE, day: '2-digit', month: 'short', year: 'numeric' });
const shortDay = new Intl.DateTimeFormat('pt-BR', { timeZone: ZONE, day: '2-digit', month: '2-digit' });
const clock = new Intl.DateTimeFormat('pt-BR', { timeZone: ZONE, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const decimal = new Intl.NumberFormat('pt-BR', { maximumFractionDigits: 6 });

/** Integer cents to "R$ 1.234,56" (cents are exact; dividing by 100 is only for display). */
export function brl(cents) {
  return money.format(cents / 100);
}

/** Signed: "+R$ 2.650,00" / "-R$ 45,90". */
export function signedBrl(cents) {
  return signedMoney.format(cents / 100);
}

export function localDay(iso) {
  return day.format(new Date(iso));
}

export function localTime(iso) {
  return clock.format(new Date(iso));
}

/** "2026-12-03" (a calendar date, no time zone) to "03/12". */
export function dayMonth(isoDate) {
  const [y, m, d] = isoDate.split('-').map(Number);
  return shortDay.format(new Date(Date.UTC(y, m - 1, d, 12)));
}

export function quantity(text) {
  return decimal.format(Number(text));
}

/** Format typed digits as a CPF: "52998224725" -> "529.982.247-25". */
export function maskCpf(value) {
  const d = value.replace(/\D/g, '').slice(0, 11);
  if (d.length <= 3) return d;
  if (d.length <= 6) return `${d.slice(0, 3)}.${d.slice(3)}`;
  if (d.length <= 9) return `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6)}`;
  return `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6, 9)}-${d.slice(9)}`;
}

/** The CPF check digits (modulo 11), as the login form verifies before calling the API. */
export function validCpf(value) {
  const d = value.replace(/\D/g, '');
  if (d.length !== 11 || /^(\d)\1{10}$/.test(d)) return false;
  const digit = (len) => {
    let sum = 0;
    for (let i = 0; i < len; i++) sum += Number(d[i]) * (len + 1 - i);
    const rest = (sum * 10) % 11;
    return rest === 10 ? 0 : rest;
  };
  return digit(9) === Number(d[9]) && digit(10) === Number(d[10]);
}
