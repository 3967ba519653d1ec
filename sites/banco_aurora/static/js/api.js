/* The client of Banco Aurora's API, which lives on another origin (see <meta name=aurora-api>).
 *
 * The bearer token is kept in localStorage ("aurora.token") and sent on every call as
 * "Authorization: Bearer …"; the customer id the login returned is in sessionStorage
 * ("aurora.clienteId") and goes into the data URLs. The token is mirrored into the
 * front-end's own cookie "aurora_sessao" so the server can render /inicio with its data.
 * Calls are cross-origin with credentials; a 401 on an authenticated call means the session
 * is over, which the app hears as the "sessao-expirada" event.
 */

const API = document.querySelector('meta[name="aurora-api"]').content.replace(/\/$/, '');
const TOKEN = 'aurora.token';
const CUSTOMER = 'aurora.clienteId';
const DEVICE = 'aurora.dispositivo';

export const events = new EventTarget();

export const session = {
  token: () => localStorage.getItem(TOKEN),
  customerId: () => sessionStorage.getItem(CUSTOMER),
  deviceId() {
    let id = localStorage.getItem(DEVICE);
    if (!id) {
      const bytes = crypto.getRandomValues(new Uint8Array(16));
      id = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
      localStorage.setItem(DEVICE, id);
    }
    return id;
  },
  save({ token, clienteId }) {
    localStorage.setItem(TOKEN, token);
    sessionStorage.setItem(CUSTOMER, clienteId);
    document.cookie = `aurora_sessao=${encodeURIComponent(token)}; Path=/; SameSite=Strict`;
  },
  rememberCustomer(clienteId) {
    sessionStorage.setItem(CUSTOMER, clienteId);
  },
  clear() {
    localStorage.removeItem(TOKEN);
    sessionStorage.removeItem(CUSTOMER);
    document.cookie = 'aurora_sessao=; Path=/; Max-Age=0; SameSite=Strict';
  },
};

/** One call. Never throws: {status, data, retryAfter}; status 0 is a network failure. */
export async function call(method, path, { body, auth = true } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const token = session.token();
  if (auth && token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(API + path, {
      method, headers, mode: 'cors', credentials: 'include',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    return { status: 0, data: null, retryAfter: null };
  }
  let data = null;
  try {
    data = await response.json();
  } catch (error) {
    data = null;
  }
  const result = { status: response.status, data, retryAfter: response.headers.get('Retry-After') };
  if (auth && response.status === 401) events.dispatchEvent(new CustomEvent('sessao-expirada', { detail: result }));
  return result;
}

/** The path of a customer resource, e.g. customerPath('/contas'). */
export function customerPath(suffix) {
  return `/v1/clientes/${encodeURIComponent(session.customerId())}${suffix}`;
}

/** Make sure the customer id is known (a new tab has the token but not sessionStorage). */
export async function ensureCustomer() {
  if (session.customerId()) return { status: 200 };
  const res = await call('GET', '/v1/sessao');
  if (res.status === 200 && res.data) session.rememberCustomer(res.data.clienteId);
  return res;
}

export function errorCode(res) {
  return res && res.data && typeof res.data.erro === 'string' ? res.data.erro : null;
}
