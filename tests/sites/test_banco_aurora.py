"""Banco Aurora demo site: seeded data, the cross-origin API, the web origin, the real app.

Data and API tests use Python values and Flask's test client (milliseconds each); CORS and the
server-rendered overview use both origins on real loopback servers; the patterns that exist
only in the JavaScript app (approval polling, code boxes, infinite virtualized scroll, the
page's own failure messages) are proven in headless Chromium.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from stdnum.br import cnpj, cpf

from engine.extraction.transforms import is_valid_isin
from sites._server import ChildServer
from sites.banco_aurora import AuroraSite, create_api_app, create_app, documents
from sites.banco_aurora.api_state import ApiState
from sites.banco_aurora.data import (
    CHECKING_OPENING_CENTS,
    DEMO_CPF,
    DEMO_PASSWORD,
    EMAIL_CODE,
    REFERENCE_DATE,
    SAVINGS_OPENING_CENTS,
    SCENARIOS,
    TERMS_VERSION,
    build_bank,
    user_by_cpf,
    user_cpf,
)
from sites.banco_aurora.models import BRASILIA, Account
from sites.banco_aurora.web import initial_state

BANK = build_bank()
CHECKING, SAVINGS, CARD, INVEST = BANK.accounts
WEB = "http://127.0.0.1:9"


def state_of(app: Flask) -> ApiState:
    state = app.extensions["banco_aurora_api"]
    assert isinstance(state, ApiState)
    return state


def api(**options: Any) -> tuple[Flask, FlaskClient]:
    app = create_api_app([WEB], **({"approve_after": 0.0} | options))
    return app, app.test_client()


def login(client: FlaskClient, scenario: str = "demo", device: str | None = None) -> dict[str, Any]:
    """Log in completely (approving at once or typing the e-mail code); the token answer."""
    res = client.post("/v1/auth/login", json={"cpf": user_cpf(scenario), "senha": DEMO_PASSWORD,
                                               "dispositivoId": device})
    body = res.get_json()
    if body.get("status") == "aprovacao_pendente":
        body = client.get(f"/v1/auth/approval/{body['aprovacaoId']}").get_json()
    elif body.get("status") == "codigo_email":
        body = client.post("/v1/auth/codigo", json={"desafioId": body["desafioId"],
                                                    "codigo": EMAIL_CODE}).get_json()
    assert body["status"] in ("autenticado", "aprovado"), body
    return dict(body)


def bearer(answer: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {answer['token']}"}


def pages(client: FlaskClient, path: str, key: str, headers: dict[str, str],
          query: str = "") -> tuple[list[dict[str, Any]], list[int]]:
    items: list[dict[str, Any]] = []
    sizes: list[int] = []
    url = f"{path}?{query}" if query else path
    while True:
        body = client.get(url, headers=headers).get_json()
        items += body[key]
        sizes.append(len(body[key]))
        if body["proximoCursor"] is None:
            return items, sizes
        url = f"{path}?cursor={body['proximoCursor']}"


def signed(item: dict[str, Any], account: Account) -> Decimal:
    value = Decimal(item["valorCentavos"]).scaleb(-2)
    return -value if item["origem"] == account.id else value


# -- data ------------------------------------------------------------------------------------
def test_data_is_deterministic_and_seeded() -> None:
    assert build_bank() == BANK
    assert build_bank(7) != BANK


def test_accounts_and_balances_follow_from_the_history() -> None:
    assert [(a.name, a.kind, a.api_type) for a in BANK.accounts] == [
        ("Conta corrente", "checking", "CONTA_CORRENTE"),
        ("Poupança Aurora", "savings", "POUPANCA"),
        ("Aurora Platinum Mastercard", "card", "CARTAO_CREDITO"),
        ("Investimentos Aurora", "brokerage", "INVESTIMENTOS")]
    assert [len(a.movements) for a in BANK.accounts] == [162, 26, 92, 6]
    total = {a.id: sum(t.amount for t in a.expected_transactions()) for a in BANK.accounts}
    assert CHECKING.balance == Decimal(CHECKING_OPENING_CENTS).scaleb(-2) + total[CHECKING.id]
    assert SAVINGS.balance == Decimal(SAVINGS_OPENING_CENTS).scaleb(-2) + total[SAVINGS.id]
    assert CARD.balance == total[CARD.id] < 0  # the open invoice: every closed one was paid
    assert INVEST.balance == sum(h.valuation for h in INVEST.holdings)
    assert [str(a.balance) for a in BANK.accounts] == ["3876.12", "13855.81", "-1392.22",
                                                       "34923.15"]
    for account in BANK.accounts:
        at = [m.at for m in account.movements]
        assert at == sorted(at, reverse=True)
        assert max(at) <= dt.datetime(2026, 11, 20, 18, tzinfo=BRASILIA)
        assert all(m.cents > 0 for m in account.movements)
    assert max(m.local_date for m in CHECKING.movements) == REFERENCE_DATE


def test_each_closed_invoice_is_paid_by_the_checking_account() -> None:
    payments = [m for m in CARD.movements if m.kind == "PAGAMENTO_FATURA"]
    assert [m.local_date for m in payments] == [dt.date(2026, 11, 10), dt.date(2026, 10, 13),
                                                dt.date(2026, 9, 10)]  # 12/10 is a holiday
    for payment in payments:
        assert (payment.origin, payment.destination) == (CHECKING.id, CARD.id)
        close = payment.local_date.replace(day=3)
        opened = (close - dt.timedelta(days=28)).replace(day=4)
        owed = -sum(m.amount_for(CARD.id) for m in CARD.movements
                    if m.kind != "PAGAMENTO_FATURA" and opened <= m.local_date <= close)
        assert payment.amount_for(CARD.id) == owed > 0
        assert payment.id in {m.id for m in CHECKING.movements}
    labels = [m.description for m in CARD.movements]
    assert "MAGALU*MAGAZINELUIZA PARC 06/10" in labels
    assert labels.count("IOF de transação internacional") == 2
    assert any(m.kind == "ESTORNO" and m.amount_for(CARD.id) > 0 for m in CARD.movements)


def test_one_transfer_is_one_movement_signed_by_the_synced_account() -> None:
    shared = {m.id for m in CHECKING.movements} & {m.id for m in SAVINGS.movements}
    assert len(shared) == 5
    by_id = {m.id: m for m in CHECKING.movements}
    for movement_id in shared:
        movement = by_id[movement_id]
        assert movement.amount_for(CHECKING.id) == -movement.amount_for(SAVINGS.id)
    rescue = next(m for m in SAVINGS.movements if m.local_date == dt.date(2026, 9, 15))
    assert (rescue.amount_for(SAVINGS.id), rescue.amount_for(CHECKING.id)) == (
        Decimal("-2000.00"), Decimal("2000.00"))
    with pytest.raises(ValueError, match="does not involve"):
        rescue.amount_for(CARD.id)


def test_local_dates_differ_from_utc_dates_on_purpose() -> None:
    every = [m for a in BANK.accounts for m in a.movements]
    assert all(m.at.utcoffset() == dt.timedelta(hours=-3) for m in every)
    crossing = {(m.local_date, m.at.astimezone(dt.UTC).date()) for m in every
                if m.local_date != m.at.astimezone(dt.UTC).date()}
    assert (dt.date(2026, 11, 19), dt.date(2026, 11, 20)) in crossing
    assert (dt.date(2026, 10, 31), dt.date(2026, 11, 1)) in crossing  # next month in UTC
    assert (dt.date(2025, 12, 31), dt.date(2026, 1, 1)) in crossing   # next year in UTC
    pizza = next(t for t in CHECKING.expected_transactions() if t.amount == Decimal("-62.50"))
    assert (pizza.date, pizza.label) == (dt.date(2026, 11, 19),
                                         "Pix enviado · Lucas Martins Ferreira")


def test_only_one_pair_of_identical_rows() -> None:
    keys = [(t.account_id, t.date, t.label, t.amount) for a in BANK.accounts
            for t in a.expected_transactions()]
    twins = {k[1:] for k in keys if keys.count(k) > 1}
    assert twins == {(dt.date(2026, 10, 27), "Compra no débito · METRÔ SÃO PAULO",
                      Decimal("-5.40"))}


def test_pix_section_mirrors_the_checking_pix_signed_by_the_customer() -> None:
    pix_moves = {m.id: m for m in CHECKING.movements if m.kind == "PIX"}
    assert len(BANK.pix_transfers) == len(pix_moves) == 74
    for pix in BANK.pix_transfers:
        movement = pix_moves[pix.movement_id]
        assert pix.amount_for_customer == movement.amount_for(CHECKING.id)
        assert pix.payer.is_customer != pix.payee.is_customer
        e2e = pix.end_to_end_id
        assert re.fullmatch(r"E\d{8}\d{12}[A-Za-z0-9]{11}", e2e)
        assert e2e[1:9] == pix.payer.ispb
        assert e2e[9:21] == pix.at.astimezone(dt.UTC).strftime("%Y%m%d%H%M")
    received = [p for p in BANK.pix_transfers if p.amount_for_customer > 0]
    assert 5 < len(received) < len(BANK.pix_transfers) / 2
    assert any(p.payee.document_kind == "cnpj" for p in BANK.pix_transfers)


def test_documents_have_valid_check_digits() -> None:
    for name in SCENARIOS:
        assert cpf.is_valid(user_cpf(name))
        user = user_by_cpf(user_cpf(name).replace(".", "").replace("-", ""))
        assert user is not None
        assert user.scenario == name
    for pix in BANK.pix_transfers:
        for party in (pix.payer, pix.payee):
            assert (cpf if party.document_kind == "cpf" else cnpj).is_valid(party.document)
    assert all(is_valid_isin(h.isin) for h in INVEST.holdings)
    assert {h.isin for h in INVEST.holdings} >= {"BRSTNCLF1RC4", "BRBOVACTF003", "BRPETRACNPR6"}
    tesouro = next(h for h in INVEST.holdings if h.product == "Tesouro Selic 2029")
    assert (tesouro.quantity, tesouro.valuation) == (Decimal("0.18"), Decimal("3177.56"))


# -- API: login ------------------------------------------------------------------------------
@pytest.mark.parametrize(("cpf_typed", "password", "status", "code"), [
    ("123", DEMO_PASSWORD, 400, "cpf_invalido"),
    (DEMO_CPF, "errada", 401, "credenciais_invalidas"),
    (documents.cpf("390533447"), DEMO_PASSWORD, 401, "credenciais_invalidas"),  # not a customer
    (user_cpf("bloqueado"), DEMO_PASSWORD, 403, "conta_bloqueada")])
def test_login_refusals(cpf_typed: str, password: str, status: int, code: str) -> None:
    _, client = api()
    res = client.post("/v1/auth/login", json={"cpf": cpf_typed, "senha": password})
    assert (res.status_code, res.get_json()["erro"]) == (status, code)
    if code == "credenciais_invalidas":
        assert res.get_json()["mensagem"] == "CPF ou senha incorretos."


def test_approval_in_the_app_is_polled_until_approved_then_consumed() -> None:
    app, client = api(approve_after=2.0)
    auth, now = state_of(app).auth, time.time()
    auth.clock = lambda: now
    res = client.post("/v1/auth/login", json={"cpf": "52998224725", "senha": DEMO_PASSWORD})
    body = res.get_json()
    assert {k: body[k] for k in ("status", "expiraEmSegundos", "intervaloSegundos")} == {
        "status": "aprovacao_pendente", "expiraEmSegundos": 8, "intervaloSegundos": 1}
    url = f"/v1/auth/approval/{body['aprovacaoId']}"
    auth.clock = lambda: now + 1.5
    assert client.get(url).get_json() == {"status": "pendente", "expiraEmSegundos": 6}
    auth.clock = lambda: now + 2.1
    approved = client.get(url).get_json()
    assert approved["status"] == "aprovado"
    assert approved["tipo"] == "Bearer"
    assert approved["expiraEmSegundos"] == 900
    assert client.get(url).status_code == 404  # one-time
    assert client.get("/v1/sessao", headers=bearer(approved)).get_json()["cpf"] == DEMO_CPF


@pytest.mark.parametrize(("scenario", "at", "status"), [
    ("recusa", 2.5, "recusado"), ("expira", 7.9, "pendente"), ("expira", 8.0, "expirado"),
    ("demo", 8.0, "expirado")])
def test_approval_refused_or_expired(scenario: str, at: float, status: str) -> None:
    app, client = api(approve_after=2.0)
    auth, now = state_of(app).auth, time.time()
    auth.clock = lambda: now
    body = client.post("/v1/auth/login", json={"cpf": user_cpf(scenario),
                                               "senha": DEMO_PASSWORD}).get_json()
    auth.clock = lambda: now + at
    answer = client.get(f"/v1/auth/approval/{body['aprovacaoId']}").get_json()
    assert answer["status"] == status
    assert "token" not in answer


def test_an_approved_device_is_trusted_next_time() -> None:
    _, client = api()
    login(client, device="d1")
    again = client.post("/v1/auth/login", json={"cpf": DEMO_CPF, "senha": DEMO_PASSWORD,
                                                "dispositivoId": "d1"}).get_json()
    assert again["status"] == "autenticado"
    other = client.post("/v1/auth/login", json={"cpf": DEMO_CPF, "senha": DEMO_PASSWORD,
                                                "dispositivoId": "d2"}).get_json()
    assert other["status"] == "aprovacao_pendente"


def test_email_code(capsys: pytest.CaptureFixture[str]) -> None:
    app, client = api()
    body = client.post("/v1/auth/login", json={"cpf": user_cpf("email"),
                                               "senha": DEMO_PASSWORD}).get_json()
    assert {k: body[k] for k in ("status", "destino", "digitos")} == {
        "status": "codigo_email", "destino": "ma•••••o@exemplo.com.br", "digitos": 6}
    assert EMAIL_CODE in capsys.readouterr().err
    wrong = [client.post("/v1/auth/codigo", json={"desafioId": body["desafioId"],
                                                  "codigo": "000000"}) for _ in range(3)]
    assert [(r.status_code, r.get_json()["erro"], r.get_json().get("tentativasRestantes"))
            for r in wrong] == [(401, "codigo_invalido", 2), (401, "codigo_invalido", 1),
                                (403, "codigo_bloqueado", None)]
    answer = login(client, "email")
    assert answer["status"] == "autenticado"
    late = client.post("/v1/auth/login", json={"cpf": user_cpf("email"),
                                               "senha": DEMO_PASSWORD}).get_json()
    state_of(app).auth.clock = lambda: time.time() + 601
    res = client.post("/v1/auth/codigo", json={"desafioId": late["desafioId"],
                                               "codigo": EMAIL_CODE})
    assert (res.status_code, res.get_json()["erro"]) == (401, "codigo_expirado")


# -- API: tokens and guards ------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/v1/sessao", "/v1/termos/pendentes", "/v1/clientes/x/contas"])
def test_data_needs_a_bearer_token(path: str) -> None:
    _, client = api()
    for headers in ({}, {"Authorization": "Bearer forged"}, {"Authorization": "Basic eDp5"}):
        res = client.get(path, headers=headers)
        assert (res.status_code, res.get_json()["erro"]) == (401, "nao_autenticado")
        assert res.headers["WWW-Authenticate"] == 'Bearer realm="aurora"'


def test_expired_and_revoked_tokens() -> None:
    app, client = api(token_ttl=60)
    answer = login(client)
    assert client.get("/v1/sessao", headers=bearer(answer)).status_code == 200
    state_of(app).auth.clock = lambda: time.time() + 61
    res = client.get("/v1/sessao", headers=bearer(answer))
    assert (res.status_code, res.get_json()["erro"]) == (401, "token_expirado")
    assert 'error="invalid_token"' in res.headers["WWW-Authenticate"]
    state_of(app).auth.clock = time.time
    fresh = login(client)
    assert client.post("/v1/auth/logout", headers=bearer(fresh)).status_code == 204
    assert client.get("/v1/sessao", headers=bearer(fresh)).get_json()["erro"] == "nao_autenticado"
    expired_at_once = login(client, "sessao-expirada")
    assert expired_at_once["expiraEmSegundos"] == 0
    res = client.get(f"/v1/clientes/{expired_at_once['clienteId']}/contas",
                     headers=bearer(expired_at_once))
    assert (res.status_code, res.get_json()["erro"]) == (401, "token_expirado")


def test_customer_data_is_only_the_callers() -> None:
    _, client = api()
    answer = login(client)
    other = login(client, "limite")["clienteId"]
    assert other != answer["clienteId"]
    res = client.get(f"/v1/clientes/{other}/contas", headers=bearer(answer))
    assert (res.status_code, res.get_json()["erro"]) == (403, "acesso_negado")


# -- API: data -------------------------------------------------------------------------------
def test_accounts_in_integer_cents() -> None:
    _, client = api()
    answer = login(client)
    res = client.get(f"/v1/clientes/{answer['clienteId']}/contas", headers=bearer(answer))
    assert res.headers["Cache-Control"] == "no-store"
    contas = res.get_json()["contas"]
    assert [(c["id"], c["tipo"], c["saldoCentavos"], c["moeda"]) for c in contas] == [
        (CHECKING.id, "CONTA_CORRENTE", 387612, "BRL"), (SAVINGS.id, "POUPANCA", 1385581, "BRL"),
        (CARD.id, "CARTAO_CREDITO", 139222, "BRL"), (INVEST.id, "INVESTIMENTOS", 3492315, "BRL")]
    assert (contas[0]["agencia"], contas[0]["numero"]) == ("0001", "4832157-5")
    assert contas[2]["fatura"] == {"status": "ABERTA", "valorCentavos": 139222,
                                   "fechamento": "2026-12-03", "vencimento": "2026-12-10"}
    assert contas[2]["limiteDisponivelCentavos"] == 1500000 - 139222


def test_movement_pages_partition_each_history() -> None:
    _, client = api()
    answer = login(client)
    base = f"/v1/clientes/{answer['clienteId']}/contas"
    for account in BANK.accounts:
        items, sizes = pages(client, f"{base}/{account.id}/movimentacoes", "itens",
                             bearer(answer))
        assert [i["id"] for i in items] == [m.id for m in account.movements]
        assert len({i["id"] for i in items}) == len(items)
        assert all(s == 25 for s in sizes[:-1])
        got = [(dt.datetime.fromisoformat(i["dataHora"]).date(), i["descricao"],
                signed(i, account)) for i in items]
        assert got == [(t.date, t.label, t.amount) for t in account.expected_transactions()]
    pizza = next(i for i in pages(client, f"{base}/{CHECKING.id}/movimentacoes", "itens",
                                  bearer(answer))[0] if i["valorCentavos"] == 6250)
    assert pizza["dataHora"] == "2026-11-19T23:30:00-03:00"
    assert pizza["contraparte"]["documento"].startswith("***.")
    assert pages(client, f"{base}/{CHECKING.id}/movimentacoes", "itens", bearer(answer))[1] == [
        25, 25, 25, 25, 25, 25, 12]


def test_movement_date_filters_use_the_local_date_and_ride_the_cursor() -> None:
    _, client = api()
    answer = login(client)
    path = f"/v1/clientes/{answer['clienteId']}/contas/{CHECKING.id}/movimentacoes"
    items, _ = pages(client, path, "itens", bearer(answer), "dataInicio=2026-11-20")
    assert [i["id"] for i in items] == [m.id for m in CHECKING.movements
                                        if m.local_date == REFERENCE_DATE]
    items, sizes = pages(client, path, "itens", bearer(answer),
                         "dataInicio=2026-09-01&dataFim=2026-10-31&limite=10")
    expected = [m.id for m in CHECKING.movements
                if dt.date(2026, 9, 1) <= m.local_date <= dt.date(2026, 10, 31)]
    assert [i["id"] for i in items] == expected
    assert len(sizes) > 2
    for bad in ("limite=0", "limite=51", "limite=x", "cursor=%%%", "dataInicio=20/11/2026"):
        assert client.get(f"{path}?{bad}", headers=bearer(answer)).status_code == 400
    other = client.get(f"{path.replace(CHECKING.id, SAVINGS.id)}?limite=2",
                       headers=bearer(answer)).get_json()["proximoCursor"]
    assert client.get(f"{path}?cursor={other}", headers=bearer(answer)).status_code == 400


def test_positions_sum_to_the_investment_balance() -> None:
    _, client = api()
    answer = login(client)
    base = f"/v1/clientes/{answer['clienteId']}/contas"
    body = client.get(f"{base}/{INVEST.id}/posicoes", headers=bearer(answer)).get_json()
    assert sum(p["valorBrutoCentavos"] for p in body["posicoes"]) == body["saldoCentavos"]
    assert body["posicoes"][3] | {"id": "-"} == {
        "id": "-", "produto": "Tesouro Selic 2029", "tipo": "TESOURO_DIRETO",
        "isin": "BRSTNCLF1RC4", "codigoNegociacao": None, "quantidade": "0.18",
        "precoUnitarioCentavos": 1765312, "precoMedioCentavos": 1741050,
        "valorBrutoCentavos": 317756, "vencimento": "2029-03-01", "moeda": "BRL"}
    assert client.get(f"{base}/{CHECKING.id}/posicoes", headers=bearer(answer)).status_code == 404


def test_pix_section_is_signed_by_the_customer_and_timed_in_utc() -> None:
    _, client = api()
    answer = login(client)
    me = client.get(f"/v1/clientes/{answer['clienteId']}", headers=bearer(answer)).get_json()
    assert me["cpfMascarado"] == "***.982.247-**"
    items, sizes = pages(client, f"/v1/clientes/{answer['clienteId']}/pix/transferencias",
                         "transferencias", bearer(answer))
    assert sizes == [20, 20, 20, 14]
    assert [i["endToEndId"] for i in items] == [p.end_to_end_id for p in BANK.pix_transfers]
    for item, pix in zip(items, BANK.pix_transfers, strict=True):
        value = Decimal(item["valorCentavos"]).scaleb(-2)
        mine = item["pagador"]["cpf"] == me["cpfMascarado"]
        assert (-value if mine else value) == pix.amount_for_customer
        assert item["horario"].endswith("Z")
        local = dt.datetime.fromisoformat(item["horario"]).astimezone(BRASILIA).date()
        assert local == pix.local_date
    assert items[0]["horario"] == "2026-11-20T02:30:00.000Z"
    assert items[0]["infoPagador"] == "racha da pizza 🍕"


# -- API: terms and failure scenarios --------------------------------------------------------
def test_terms_block_the_data_until_accepted() -> None:
    _, client = api()
    answer = login(client, "termos")
    accounts = f"/v1/clientes/{answer['clienteId']}/contas"
    pending = client.get("/v1/termos/pendentes", headers=bearer(answer)).get_json()["pendentes"]
    assert [p["versao"] for p in pending] == [TERMS_VERSION]
    res = client.get(accounts, headers=bearer(answer))
    assert (res.status_code, res.get_json()["erro"]) == (403, "termos_pendentes")
    assert client.post("/v1/termos/aceite", json={"versao": "2020.1"},
                       headers=bearer(answer)).status_code == 400
    assert client.post("/v1/termos/aceite", json={"versao": TERMS_VERSION},
                       headers=bearer(answer)).get_json() == {"aceito": True,
                                                              "versao": TERMS_VERSION}
    assert client.get(accounts, headers=bearer(answer)).status_code == 200
    again = login(client, "termos")
    assert client.get("/v1/termos/pendentes", headers=bearer(again)).get_json()["pendentes"] == []


@pytest.mark.parametrize(("scenario", "status", "code", "retry_after"), [
    ("manutencao", 503, "manutencao", "1800"), ("limite", 429, "limite_de_requisicoes", "60")])
def test_outages_answer_the_data_calls(scenario: str, status: int, code: str,
                                       retry_after: str) -> None:
    _, client = api()
    answer = login(client, scenario)
    for path in ("/v1/sessao", f"/v1/clientes/{answer['clienteId']}/contas"):
        res = client.get(path, headers=bearer(answer))
        assert (res.status_code, res.get_json()["erro"]) == (status, code)
        assert res.headers["Retry-After"] == retry_after


def test_site_wide_maintenance_hits_the_login_too() -> None:
    _, client = api(scenario="manutencao")
    res = client.post("/v1/auth/login", json={"cpf": DEMO_CPF, "senha": DEMO_PASSWORD})
    assert (res.status_code, res.headers["Retry-After"]) == (503, "1800")
    assert res.get_json()["mensagem"].startswith("O Banco Aurora está em manutenção")
    with pytest.raises(ValueError, match="scenario"):
        create_api_app(scenario="inexistente")


def test_broken_history_fails_only_for_the_savings_account() -> None:
    _, client = api()
    answer = login(client, "falha-extrato")
    base = f"/v1/clientes/{answer['clienteId']}/contas"
    res = client.get(f"{base}/{SAVINGS.id}/movimentacoes", headers=bearer(answer))
    assert (res.status_code, res.get_json()) == (500, {
        "erro": "erro_interno", "mensagem": "Não foi possível concluir a operação.",
        "codigo": "AUR-5031"})
    for account in (CHECKING, CARD, INVEST):
        assert client.get(f"{base}/{account.id}/movimentacoes",
                          headers=bearer(answer)).status_code == 200


# -- two origins on real servers -------------------------------------------------------------
@pytest.fixture(scope="module")
def site() -> Iterator[AuroraSite]:
    with AuroraSite(approve_after=0.0) as started:
        yield started


def http(method: str, url: str, headers: dict[str, str] | None = None,
         body: Any = None) -> tuple[int, dict[str, str], bytes]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={  # noqa: S310
        "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=5) as res:  # noqa: S310 (own loopback)
            return res.status, dict(res.headers), res.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def real_login(site: AuroraSite, scenario: str = "demo") -> dict[str, Any]:
    _, _, raw = http("POST", f"{site.api_url}/v1/auth/login",
                     body={"cpf": user_cpf(scenario), "senha": DEMO_PASSWORD})
    body = json.loads(raw)
    if body["status"] == "aprovacao_pendente":
        body = json.loads(http("GET", f"{site.api_url}/v1/auth/approval/{body['aprovacaoId']}")[2])
    return dict(body)


def test_the_two_origins_differ_and_cors_admits_only_the_web_one(site: AuroraSite) -> None:
    assert site.web_url.startswith("http://127.0.0.1:")
    assert site.api_url.startswith("http://localhost:")
    preflight = {"Access-Control-Request-Method": "GET",
                 "Access-Control-Request-Headers": "authorization"}
    status, headers, _ = http("OPTIONS", f"{site.api_url}/v1/sessao",
                              {"Origin": site.web_url, **preflight})
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == site.web_url
    assert headers["Access-Control-Allow-Credentials"] == "true"
    assert "authorization" in headers["Access-Control-Allow-Headers"].lower()
    status, headers, _ = http("GET", f"{site.api_url}/v1/sessao", {"Origin": site.web_url})
    assert status == 401
    assert "Retry-After" in headers["Access-Control-Expose-Headers"]
    for origin in ("http://evil.test", site.web_url.replace("127.0.0.1", "localhost")):
        _, headers, _ = http("OPTIONS", f"{site.api_url}/v1/sessao", {"Origin": origin,
                                                                       **preflight})
        assert "Access-Control-Allow-Origin" not in headers


def test_web_shell_names_the_api_and_limits_connections_to_it(site: AuroraSite) -> None:
    for path in ("/", "/entrar", "/aprovacao", "/codigo", "/termos", "/pix", "/contas/x"):
        status, headers, raw = http("GET", site.web_url + path)
        html = raw.decode()
        assert status == 200
        assert f'<meta name="aurora-api" content="{site.api_url}">' in html
        assert f"connect-src 'self' {site.api_url};" in headers["Content-Security-Policy"]
        assert "__AURORA_STATE__" not in html
        assert "Conta corrente" not in html
    assert http("GET", site.web_url + "/nada")[0] == 404
    for name in ("js/main.js", "js/core.js", "js/views/home.js", "aurora.css"):
        assert http("GET", f"{site.web_url}/static/{name}")[0] == 200
    with pytest.raises(ValueError, match="list_mode"):
        create_app(site.api_url, list_mode="paginas")


STATE_RE = re.compile(r'<script nonce="([^"]+)">window\.__AURORA_STATE__ = (\{.*?\});</script>')


def test_overview_embeds_its_first_data_in_the_html(site: AuroraSite) -> None:
    answer = real_login(site)
    status, headers, raw = http("GET", f"{site.web_url}/inicio",
                                {"Cookie": f"aurora_sessao={answer['token']}"})
    match = STATE_RE.search(raw.decode())
    assert status == 200
    assert match is not None
    assert f"'nonce-{match.group(1)}'" in headers["Content-Security-Policy"]
    assert "Poupan\\u00e7a" in match.group(2)  # escaped for a <script>, as frameworks do
    state = json.loads(match.group(2))
    assert state["cliente"] == {"clienteId": answer["clienteId"], "nome": "Mariana Costa Ribeiro",
                                "primeiroNome": "Mariana", "cpfMascarado": "***.982.247-**"}
    _, _, accounts = http("GET", f"{site.api_url}/v1/clientes/{answer['clienteId']}/contas",
                          {"Authorization": f"Bearer {answer['token']}"})
    assert state["contas"] == json.loads(accounts)["contas"]
    for cookie in ("", "aurora_sessao=forged"):
        assert "__AURORA_STATE__" not in http("GET", f"{site.web_url}/inicio",
                                              {"Cookie": cookie})[2].decode()
    assert initial_state(site.api_url, real_login(site, "manutencao")["token"], 5) is None


def test_module_runs_both_origins_as_a_child_process() -> None:
    with ChildServer("sites.banco_aurora", ["--api-port", "0"]) as child:
        html = http("GET", child.url + "/entrar")[2].decode()
        api_url = re.search(r'name="aurora-api" content="([^"]+)"', html)
        assert api_url is not None
        assert api_url.group(1).startswith("http://localhost:")
        status, headers, _ = http("POST", api_url.group(1) + "/v1/auth/login",
                                  {"Origin": child.url}, {"cpf": DEMO_CPF, "senha": "x"})
        assert (status, headers["Access-Control-Allow-Origin"]) == (401, child.url)


def test_module_runs_one_origin_per_process() -> None:
    with ChildServer("sites.banco_aurora", ["--role", "api", "--web-origin", WEB]) as child:
        assert child.url.startswith("http://localhost:")
        status, headers, _ = http("GET", child.url + "/v1/sessao", {"Origin": WEB})
        assert (status, headers["Access-Control-Allow-Origin"]) == (401, WEB)
        with ChildServer("sites.banco_aurora", ["--role", "web", "--api-url", child.url]) as web:
            assert f'content="{child.url}"' in http("GET", web.url + "/")[2].decode()


# -- the real app in headless Chromium -------------------------------------------------------
def brl(value: Decimal, signed_display: bool = False) -> str:
    """How the page's Intl.NumberFormat('pt-BR', BRL) writes a value (NBSP after R$)."""
    digits = f"{abs(value):,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    sign = ("-" if value < 0 else "+") if signed_display else ""
    return f"{sign}R$\u00a0{digits}"


@pytest.fixture(scope="module")
async def chromium() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    from engine.backends.chromium import LAUNCH_ARGS, find_chromium

    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=find_chromium(), args=LAUNCH_ARGS)
        yield launched
        await launched.close()


class Tab:
    """A fresh browser context on the site, recording the API calls the page makes."""

    def __init__(self, page: Any, site: AuroraSite) -> None:
        self.page, self.site = page, site
        self.calls: list[tuple[str, str, str | None]] = []
        self.answers: list[tuple[str, int]] = []
        page.on("request", lambda r: self.calls.append(
            (r.method, r.url, r.headers.get("authorization"))))
        page.on("response", lambda r: self.answers.append((r.url, r.status)))

    def api_calls(self, fragment: str) -> list[tuple[str, str, str | None]]:
        return [c for c in self.calls if c[1].startswith(self.site.api_url) and fragment in c[1]
                and c[0] != "OPTIONS"]

    async def log_in(self, scenario: str = "demo", password: str = DEMO_PASSWORD) -> None:
        await self.page.goto(self.site.web_url + "/")
        await self.page.fill("#cpf", user_cpf(scenario).replace(".", "").replace("-", ""))
        await self.page.fill("#senha", password)
        await self.page.click("#entrar")

    async def scroll_all(self, row: str) -> tuple[list[str], int]:
        """Scroll the list's viewport to the end; every row id seen, and the most in the DOM."""
        seen: dict[str, None] = {}
        most = 0
        for _ in range(200):
            ids = await self.page.eval_on_selector_all(row, "els => els.map(e => e.dataset.id)")
            seen.update(dict.fromkeys(ids))
            most = max(most, len(ids))
            done = await self.page.eval_on_selector(
                ".lista-virtual", "el => el.scrollTop + el.clientHeight >= el.scrollHeight - 1")
            if done and await self.page.locator(".lista-fim").count():
                return list(seen), most
            await self.page.eval_on_selector(".lista-virtual", "el => { el.scrollTop += 300; }")
            await self.page.wait_for_timeout(30)
        raise AssertionError("the list never ended")


@pytest.fixture
async def tab(chromium: Any, request: pytest.FixtureRequest) -> AsyncIterator[Tab]:
    options = getattr(request, "param", {})
    with AuroraSite(**({"approve_after": 0.0} | options)) as started:
        context = await chromium.new_context()
        page = await context.new_page()
        page.set_default_timeout(10_000)
        try:
            yield Tab(page, started)
        finally:
            await context.close()


@pytest.mark.browser
@pytest.mark.parametrize("tab", [{"approve_after": 0.8}], indirect=True)
async def test_browser_approval_bearer_token_and_embedded_overview(tab: Tab) -> None:
    page = tab.page
    await tab.log_in()
    await page.wait_for_selector(".tela-aprovacao[data-status=pendente]")
    assert await page.text_content(".tela-aprovacao h1") == "Aprove o acesso no app Aurora"
    assert "Galaxy S23 de Mariana" in await page.text_content(".aprovacao-instrucao")
    await page.wait_for_selector("#contas .conta")
    assert page.url == tab.site.web_url + "/inicio"
    assert len(tab.api_calls("/v1/auth/approval/")) >= 1
    token = await page.evaluate("localStorage.getItem('aurora.token')")
    customer = await page.evaluate("sessionStorage.getItem('aurora.clienteId')")
    assert token
    assert len(customer) == 36
    data_calls = tab.api_calls("/v1/clientes/")
    assert data_calls
    assert {c[2] for c in data_calls} == {f"Bearer {token}"}
    assert all(f"/v1/clientes/{customer}" in c[1] for c in data_calls)
    assert not [c for c in tab.calls if c[1].startswith(tab.site.web_url + "/v1")]
    for account in BANK.accounts:
        card = page.locator(f'.conta[data-conta-id="{account.id}"]')
        assert await card.locator(".conta-saldo").text_content() == brl(abs(account.balance))
    assert await page.text_content(".conta-cartao .conta-rotulo") == "Fatura atual"
    assert await page.text_content("h1.saudacao") == "Olá, Mariana"

    tab.calls.clear()
    await page.reload()
    await page.wait_for_selector("#contas .conta")
    assert "window.__AURORA_STATE__ = {" in await page.content()
    assert tab.api_calls("/contas") == []  # hydrated from the page, no API call


@pytest.mark.browser
async def test_browser_infinite_virtualized_statement(tab: Tab) -> None:
    page = tab.page
    await tab.log_in()
    await page.click(".conta-corrente .conta-link")
    await page.wait_for_selector(".mov")
    assert await page.locator("a.proximo, button.ver-mais").count() == 0
    assert await page.get_attribute(".lista-virtual", "data-modo") == "virtual"
    ids, most = await tab.scroll_all(".mov")
    assert ids == [m.id for m in CHECKING.movements]
    assert most <= 20  # only the rows near the viewport exist
    assert len(tab.api_calls("/movimentacoes")) == 7
    pizza = next(m for m in CHECKING.movements if m.cents == 6250)
    await page.eval_on_selector(".lista-virtual", "el => { el.scrollTop = 0; }")
    row = page.locator(f'.mov[data-id="{pizza.id}"]')
    assert await row.locator(".mov-valor").text_content() == brl(Decimal("-62.50"), True)
    assert await row.locator(".mov-data").text_content() == "19 de nov. de 2026"
    assert await row.locator(".mov-data").get_attribute("datetime") == "2026-11-19T23:30:00-03:00"
    assert await row.locator(".mov-hora").text_content() == "23:30"
    assert "mov-saida" in (await row.get_attribute("class") or "")

    await page.goto(tab.site.web_url + "/pix")  # a full load: token and customer id survive
    first = page.locator(".pix").first
    await first.wait_for()
    assert await first.get_attribute("data-id") == BANK.pix_transfers[0].end_to_end_id
    assert await first.locator(".pix-valor").text_content() == brl(Decimal("-62.50"), True)
    assert await first.locator(".pix-data").get_attribute("datetime") == "2026-11-20T02:30:00.000Z"
    assert await first.locator(".pix-data").text_content() == "19 de nov. de 2026"
    assert await first.locator(".pix-direcao").text_content() == "Enviado para "
    pix_ids, _ = await tab.scroll_all(".pix")
    assert pix_ids == [p.end_to_end_id for p in BANK.pix_transfers]


@pytest.mark.browser
@pytest.mark.parametrize("tab", [{"list_mode": "append"}], indirect=True)
async def test_browser_append_mode_keeps_every_row(tab: Tab) -> None:
    await tab.log_in()
    await tab.page.click(".conta-cartao .conta-link")
    await tab.page.wait_for_selector(".mov")
    ids, most = await tab.scroll_all(".mov")
    assert ids == [m.id for m in CARD.movements]
    assert most == len(CARD.movements) == await tab.page.locator(".mov").count()
    assert await tab.page.text_content(".extrato-rotulo") == "Fatura atual"


@pytest.mark.browser
@pytest.mark.parametrize(("tab", "scenario", "alert", "status"), [
    ({"approve_after": 0.3}, "recusa", ".alerta-recusado", "recusado"),
    ({"approval_ttl": 1.5}, "expira", ".alerta-expirado", "expirado")], indirect=["tab"])
async def test_browser_approval_refused_or_expired(tab: Tab, scenario: str, alert: str,
                                                  status: str) -> None:
    await tab.log_in(scenario)
    await tab.page.wait_for_selector(f".tela-aprovacao[data-status={status}] {alert}")
    assert await tab.page.evaluate("localStorage.getItem('aurora.token')") is None
    assert await tab.page.locator("a[href='/entrar']").count() == 1


@pytest.mark.browser
async def test_browser_email_code_in_six_boxes(tab: Tab) -> None:
    page = tab.page
    await tab.log_in("email")
    await page.wait_for_selector("form#form-codigo")
    assert "ma•••••o@exemplo.com.br" in await page.text_content(".codigo-destino")
    boxes = page.locator("input.codigo-digito")
    assert await boxes.count() == 6
    await boxes.first.click()
    await page.keyboard.type("000000")  # focus moves box to box as digits are typed
    assert [await boxes.nth(i).input_value() for i in range(6)] == ["0"] * 6
    await page.click("#confirmar-codigo")
    await page.wait_for_selector(".alerta-codigo[data-tentativas='2']")
    assert await page.text_content(".alerta-codigo") == (
        "Código inválido. Você tem mais 2 tentativas.")
    for i, digit in enumerate(EMAIL_CODE):
        await boxes.nth(i).fill(digit)
    await page.click("#confirmar-codigo")
    await page.wait_for_selector("#contas .conta")


@pytest.mark.browser
async def test_browser_terms_page_before_the_accounts(tab: Tab) -> None:
    page = tab.page
    await tab.log_in("termos")
    await page.wait_for_selector(".tela-termos")
    assert await page.text_content(".tela-termos h1") == "Termos atualizados"
    assert await page.is_disabled("#aceitar-termos")
    await page.check("#aceite-termos")
    await page.click("#aceitar-termos")
    await page.wait_for_selector("#contas .conta")
    assert tab.api_calls("/v1/termos/aceite")


@pytest.mark.browser
@pytest.mark.parametrize(("scenario", "selector", "status", "text"), [
    ("manutencao", ".alerta-manutencao[data-retry-after='1800']", 503,
     "O Banco Aurora está em manutenção programada."),
    ("limite", ".alerta-limite[data-retry-after='60']", 429, "Muitas tentativas"),
    ("sessao-expirada", ".tela-entrar .alerta-sessao-expirada", 401, "Sua sessão expirou"),
    ("bloqueado", ".tela-entrar .alerta-bloqueio", 403, "seu acesso foi bloqueado"),
])
async def test_browser_draws_its_own_message_after_the_api_failure(
        tab: Tab, scenario: str, selector: str, status: int, text: str) -> None:
    await tab.log_in(scenario)
    alert = tab.page.locator(selector)
    await alert.wait_for()
    assert text in (await alert.text_content() or "")
    assert any(url.startswith(tab.site.api_url) and code == status for url, code in tab.answers)


@pytest.mark.browser
async def test_browser_one_accounts_history_fails(tab: Tab) -> None:
    page = tab.page
    await tab.log_in("falha-extrato")
    await page.click(".conta-poupanca .conta-link")
    alert = page.locator(".lista-virtual .alerta-erro[data-status='500']")
    await alert.wait_for()
    assert "(código AUR-5031)" in (await alert.text_content() or "")
    await page.click("a.voltar")
    await page.click(".conta-corrente .conta-link")
    await page.wait_for_selector(".mov")


@pytest.mark.browser
async def test_browser_login_errors(tab: Tab) -> None:
    page = tab.page
    await tab.log_in(password="errada")
    alert = page.locator(".alerta-credenciais")
    await alert.wait_for()
    assert await alert.text_content() == (
        "CPF ou senha incorretos. Confira os dados e tente novamente.")
    assert await page.input_value("#senha") == ""
    calls = len(tab.api_calls("/v1/auth/login"))
    await page.fill("#cpf", "52998224725")
    assert await page.input_value("#cpf") == DEMO_CPF  # masked as typed
    await page.fill("#cpf", "12345678900")  # wrong check digits: refused before any call
    await page.fill("#senha", DEMO_PASSWORD)
    await page.click("#entrar")
    await page.wait_for_selector("#cpf-erro:not([hidden])")
    assert len(tab.api_calls("/v1/auth/login")) == calls
