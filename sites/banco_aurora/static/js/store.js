/* The app-wide store: who is logged in, the accounts, and the login flow in progress. */
import { createStore } from './core.js';

export const store = createStore({
  profile: null,      // {clienteId, nome, primeiroNome, cpfMascarado}
  accounts: null,     // the API's "contas", once loaded
  accountsFault: null, // the failed answer when they could not be
  pending: null,      // the login answer awaiting approval or an e-mail code
  terms: null,        // the pending terms document
  flash: null,        // a message for the login page ("sessao-expirada", "saiu")
});
