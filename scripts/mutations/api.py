"""API Banque Ouverte (a Berlin Group NextGenPSD2-style API over OAuth2): its recorded JSON
answers, changed the ways an API changes — keys renamed, the paging link moved, dates in
another format — or grows without breaking anything (new keys, new balance types, links)."""

from __future__ import annotations

from typing import Any

from scripts.mutations.edits import Edit, Mutation, halve, json_edit, rename_key

API = "api-banque-ouverte/normal"
ACCOUNTS = r"^/v1/accounts$"
HISTORY = r"/transactions\?"
BALANCES = r"/balances$"


def _booked(change: Any) -> Edit:
    def apply(data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("transactions"), dict):
            return data
        booked = data["transactions"].get("booked")
        if not isinstance(booked, list):
            return data
        kept = [c for c in (change(dict(i)) for i in booked) if c is not None]
        return {**data, "transactions": {**data["transactions"], "booked": kept}}
    return json_edit(apply, urls=HISTORY)


def api() -> list[Mutation]:
    def b(name: str, kind: str, edit: Edit, *expect: str) -> Mutation:
        return Mutation(f"api-{name}", API, "breaking", kind, edit, expect)

    def i(name: str, edit: Edit) -> Mutation:
        return Mutation(f"api-{name}", API, "innocuous", "noise", edit)

    return [
        b("key-transaction-amount", "json_key", rename_key("transactionAmount", "amount",
                                                           urls=HISTORY), "transactionAmount"),
        b("key-booked", "json_key", rename_key("booked", "bookedTransactions", urls=HISTORY,
                                               inside="transactions"), "transactions.booked"),
        b("key-next-link", "json_key", rename_key("next", "nextPage", urls=HISTORY,
                                                  inside="_links"), "_links.next"),
        b("key-resource-id", "json_key", rename_key("resourceId", "accountId", urls=ACCOUNTS),
          "resourceId"),
        b("format-booking-date", "format", _booked(
            lambda t: {**t, "bookingDate": "/".join(reversed(str(t["bookingDate"])
                                                             .split("-")))}), "date"),
        # a cassette keeps no counts of its own: the check names the rows by what is missing
        b("rows-half", "rows", _booked(halve([0])), "row count fell", "removed"),
        i("extra-keys", _booked(lambda t: {**t, "bankTransactionCode": "PMNT-RCDT-ESCT",
                                           "entryReference": None})),
        i("key-order", _booked(lambda t: dict(reversed(list(t.items()))))),
        i("links-added", json_edit(lambda d: {**d, "_links": {**(d.get("_links") or {}),
                                                              "account": {"href": "/v1/x"}}}
                                   if isinstance(d, dict) else d, urls=HISTORY)),
        i("balance-types-added", json_edit(
            lambda d: {**d, "balances": [*d["balances"], {
                "balanceType": "interimAvailable", "balanceAmount": {
                    "currency": "EUR", "amount": "0.00"}}]}
            if isinstance(d, dict) and isinstance(d.get("balances"), list) else d,
            urls=BALANCES)),
        i("account-extra-keys", json_edit(
            lambda d: {**d, "accounts": [{**a, "status": "enabled", "usage": "PRIV"}
                                         for a in d["accounts"]]}
            if isinstance(d, dict) and isinstance(d.get("accounts"), list) else d,
            urls=ACCOUNTS)),
    ]


__all__ = ["api"]
