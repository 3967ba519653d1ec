"""Banco Aurora: a single-page app over a JSON API on another origin. Three recipes: the API
read after a browser login (accounts from the state the overview embeds, movements in integer
cents signed by direction), the rendered app (a virtualized list read by row key, positions by
column header), and Pix signed for the customer by their own masked CPF.

Changes to what the app draws are made in its scripts *and* in the saved DOM, so the replay
(which runs the scripts) and the check (which reads the DOM) see the same new site.
"""

from __future__ import annotations

import re
from typing import Any

from scripts.mutations.edits import (
    Edit,
    Mutation,
    both,
    each_item,
    halve,
    html_sub,
    js_sub,
    json_edit,
    rename_class,
    rename_header,
    rename_id,
    rename_key,
    walk_keys,
)
from scripts.mutations.noise import Texts, html_noise
from scripts.mutations.structure import add, columns, embedded_state, swap

BA = "banco-aurora/normal"
BAA = "banco-aurora-app/normal"
BAP = "banco-aurora-pix/normal"
MOVES = r"/movimentacoes"
POSITIONS = r"/posicoes$"
PIX = r"/pix/transferencias"
HOME_JS = r"views/home\.js$"
STATEMENT_JS = r"views/statement\.js$"
TEXTS = Texts(
    banner='<div class="aviso-topo">Novo: Pix por aproximação no app Aurora.</div>',
    marketing='<p class="oferta">Cartão Aurora Black sem anuidade no primeiro ano.</p>',
    cookie="Usamos cookies para manter sua sessão segura.",
    footer_links='<nav class="links-rodape"><a href="/ajuda">Ajuda</a> · '
                 '<a href="/privacidade">Privacidade</a></nav>',
    main=r"</header>", end_main=r"</footer>")
SHELL_NOISE = ("html-comments", "whitespace", "wrapper-around-tables")
"""Markup inside what the app draws: changed in its scripts instead (below)."""


def _items(change: Any, urls: str, key: str = "itens") -> Edit:
    return each_item(change, urls=urls, key=key)


def _hybrid() -> list[Mutation]:
    def b(name: str, kind: str, edit: Edit, *expect: str) -> Mutation:
        return Mutation(f"ba-{name}", BA, "breaking", kind, edit, expect)

    def i(name: str, edit: Edit) -> Mutation:
        return Mutation(f"ba-{name}", BA, "innocuous", "noise", edit)

    def utc(item: dict[str, Any]) -> dict[str, Any]:
        from datetime import UTC, datetime

        moment = datetime.fromisoformat(str(item["dataHora"])).astimezone(UTC)
        return {**item, "dataHora": moment.strftime("%Y-%m-%dT%H:%M:%SZ")}

    return [
        b("key-itens", "json_key", rename_key("itens", "movimentacoes", urls=MOVES), "itens"),
        b("key-valor", "json_key", rename_key("valorCentavos", "valorEmCentavos", urls=MOVES),
          "valorCentavos"),
        b("key-datahora", "json_key", rename_key("dataHora", "dataHoraLancamento", urls=MOVES),
          "dataHora"),
        b("key-descricao", "json_key", rename_key("descricao", "historico", urls=MOVES),
          "descricao"),
        b("key-origem", "json_key", rename_key("origem", "contaOrigem", urls=MOVES),
          "origem", "origin", "amount"),
        b("key-cursor", "json_key", rename_key("proximoCursor", "cursor", urls=MOVES),
          "proximoCursor"),
        b("format-datahora-brazilian", "format", _items(
            lambda m: {**m, "dataHora": re.sub(r"(\d{4})-(\d\d)-(\d\d)T(\d\d:\d\d).*",
                                               r"\3/\2/\1 \4", str(m["dataHora"]))}, MOVES),
          "date"),
        b("embedded-contas-renamed", "json_key", both(
            embedded_state(walk_keys("contas", "produtos")),
            js_sub(r"embedded\.contas", "embedded.produtos", urls=HOME_JS)), "contas"),
        b("embedded-saldo-renamed", "json_key", embedded_state(
            walk_keys("saldoCentavos", "saldoEmCentavos", "contas")), "saldoCentavos"),
        b("embedded-state-renamed", "rename", both(
            html_sub(r"window\.__AURORA_STATE__ = ", "window.__APP_STATE__ = "),
            js_sub(r"__AURORA_STATE__", "__APP_STATE__", urls=HOME_JS)), "__AURORA_STATE__"),
        b("embedded-type-codes", "format", embedded_state(
            lambda d: {**d, "contas": [{**c, "tipo": {"CONTA_CORRENTE": "CORRENTE"}.get(
                c["tipo"], c["tipo"])} for c in d["contas"]]}), "type", "tipo"),
        b("key-posicoes", "json_key", rename_key("posicoes", "ativos", urls=POSITIONS),
          "posicoes"),
        b("key-isin", "json_key", rename_key("isin", "codigoIsin", urls=POSITIONS), "isin"),
        b("rows-half", "rows", _items(halve([0]), MOVES), "row count fell"),
        b("next-null", "next", json_edit(lambda d: {**d, "proximoCursor": None}
                                         if isinstance(d, dict) and d.get("proximoCursor")
                                         else d,
                                         urls=MOVES + r".*cursor="), "proximoCursor"),
        i("extra-keys", _items(lambda m: {**m, "categoria": "OUTROS",
                                          "local": {"cidade": "São Paulo", "uf": "SP"}},
                               MOVES)),
        i("key-order", _items(lambda m: dict(reversed(list(m.items()))), MOVES)),
        i("meta-object", json_edit(lambda d: {**d, "meta": {"geradoEm":
                                                            "2026-11-20T10:00:00-03:00"}}
                                   if isinstance(d, dict) else d, urls=MOVES)),
        i("null-fields", _items(lambda m: {**m, "observacao": None}, MOVES)),
        i("datahora-in-utc", _items(utc, MOVES)),
        i("embedded-extra-keys", embedded_state(
            lambda d: {**d, "cliente": {**d["cliente"], "segmento": "VAREJO"},
                       "contas": [{**c, "apelido": None} for c in d["contas"]]})),
        i("positions-extra-keys", _items(lambda p: {**p, "liquidez": "D+0"}, POSITIONS,
                                         "posicoes")),
        i("js-refactor", js_sub(r"^(/\*)", r"/* build 2026.11.2 */\n\1",
                                urls=r"\.js$")),
        *html_noise("ba", BA, TEXTS, skip=SHELL_NOISE, rows=None),
    ]


def _app() -> list[Mutation]:
    def b(name: str, kind: str, edit: Edit, *expect: str) -> Mutation:
        return Mutation(f"baa-{name}", BAA, "breaking", kind, edit, expect)

    def i(name: str, edit: Edit) -> Mutation:
        return Mutation(f"baa-{name}", BAA, "innocuous", "noise", edit)

    positions = 'class="tabela-posicoes"'
    unsigned = both(js_sub(r"return signedMoney\.format\(cents / 100\);",
                           "return money.format(Math.abs(cents) / 100);", urls=r"format\.js$"),
                    html_sub(r'(<div class="mov-valor">)[+-]', r"\1"))
    return [
        b("rename-conta", "rename", rename_class("conta", "cartao-conta"), "article.conta",
          "#contas .conta"),
        b("rename-conta-nome", "rename", rename_class("conta-nome", "conta-titulo"),
          "conta-nome"),
        b("rename-conta-saldo", "rename", rename_class("conta-saldo", "conta-valor"),
          "conta-saldo"),
        b("rename-conta-numero", "rename", rename_class("conta-numero", "conta-dados"),
          "conta-numero"),
        b("rename-data-conta-id", "rename", both(
            js_sub(r"'data-conta-id': account\.id", "'data-id': account.id", urls=HOME_JS),
            html_sub(r"(<article\b[^>]*)data-conta-id=", r"\1data-id=")), "data-conta-id"),
        b("rename-mov", "rename", rename_class("mov", "movimento"), "div.mov"),
        b("rename-mov-valor", "rename", rename_class("mov-valor", "mov-quantia"), "mov-valor"),
        b("rename-mov-descricao", "rename", rename_class("mov-descricao", "mov-texto"),
          "mov-descricao"),
        b("rename-mov-data", "rename", rename_class("mov-data", "mov-dia"), "mov-data"),
        b("rename-lista-virtual", "rename", rename_class("lista-virtual", "lista-rolagem"),
          "lista-virtual"),
        b("rename-posicao", "rename", rename_class("posicao", "ativo"), "tr.posicao"),
        b("header-quantidade", "rename", rename_header("Quantidade", "Qtd."), "Quantidade"),
        b("header-valor-bruto", "rename", rename_header("Valor bruto", "Saldo bruto"),
          "Valor bruto"),
        b("format-amount-unsigned", "sign", unsigned, "amount"),
        b("rename-login-cpf", "rename", both(rename_id("cpf", "documento"),
                                             js_sub(r"name: 'cpf'", "name: 'documento'")),
          "#cpf"),
        i("new-classes-on-rows", both(
            js_sub(r"class: `mov \$\{", "class: `mov mov-v2 ${", urls=STATEMENT_JS),
            html_sub(r'class="mov (mov-saida|mov-entrada)"', r'class="mov mov-v2 \1"'))),
        i("tracking-attributes-rows", both(
            js_sub(r"'data-id': movement\.id,", "'data-id': movement.id, 'data-track': "
                   "'mov',", urls=STATEMENT_JS),
            html_sub(r'(<div class="mov [^"]*" data-id="[^"]*")', r'\1 data-track="mov"'))),
        i("positions-extra-column", both(
            js_sub(r"'Valor bruto', 'Vencimento'", "'Valor bruto', 'Rentabilidade', "
                   "'Vencimento'", urls=STATEMENT_JS),
            js_sub(r"(h\('td', \{ class: 'posicao-valor' \}, brl\(p\.valorBrutoCentavos\)\),)",
                   r"\1 h('td', { class: 'posicao-rentab' }, '—'),", urls=STATEMENT_JS),
            columns(add(6, '<th scope="col">Rentabilidade</th>',
                        '<td class="posicao-rentab">—</td>'), table=positions))),
        i("positions-columns-swapped", both(
            js_sub(r"'Código ISIN', 'Quantidade'", "'Quantidade', 'Código ISIN'",
                   urls=STATEMENT_JS),
            js_sub(r"(h\('td', \{ class: 'posicao-isin' \}, p\.isin\),)(\s*)"
                   r"(h\('td', \{ class: 'posicao-quantidade' \}, quantity\(p\.quantidade\)\),)",
                   r"\3\2\1", urls=STATEMENT_JS),
            columns(swap(1, 2), table=positions))),
        i("greeting-changed", both(js_sub(r"`Olá, \$\{", "`Bom dia, ${", urls=HOME_JS),
                                   html_sub(r"Olá, ", "Bom dia, "))),
        i("plus-sign-dropped", both(
            js_sub(r"signDisplay: 'always'", "signDisplay: 'auto'", urls=r"format\.js$"),
            html_sub(r'(<div class="mov-valor">)\+', r"\1"))),
        i("shortcut-added", both(
            js_sub(r"(h\('a', \{ href: '/pix', 'data-link': true, class: 'atalho atalho-pix' "
                   r"\}, 'Pix'\))", r"\1, h('a', { href: '/boletos', class: 'atalho' }, "
                   r"'Boletos')", urls=HOME_JS),
            html_sub(r'(<a href="/pix" data-link="" class="atalho atalho-pix">Pix</a>)',
                     r'\1<a href="/boletos" class="atalho">Boletos</a>'))),
        *html_noise("baa", BAA, TEXTS, skip=SHELL_NOISE, rows=None),
    ]


def _pix() -> list[Mutation]:
    def b(name: str, kind: str, edit: Edit, *expect: str) -> Mutation:
        return Mutation(f"bap-{name}", BAP, "breaking", kind, edit, expect)

    def i(name: str, edit: Edit) -> Mutation:
        return Mutation(f"bap-{name}", BAP, "innocuous", "noise", edit)

    def local(item: dict[str, Any]) -> dict[str, Any]:
        from datetime import datetime, timedelta, timezone

        moment = datetime.fromisoformat(str(item["horario"]).replace("Z", "+00:00"))
        shown = moment.astimezone(timezone(timedelta(hours=-3)))
        return {**item, "horario": shown.isoformat(timespec="milliseconds")}

    return [
        b("key-transferencias", "json_key", rename_key("transferencias", "pix", urls=PIX),
          "transferencias"),
        b("key-end-to-end-id", "json_key", rename_key("endToEndId", "e2eId", urls=PIX),
          "endToEndId"),
        b("key-horario", "json_key", rename_key("horario", "dataHora", urls=PIX), "horario"),
        b("key-valor", "json_key", rename_key("valorCentavos", "valor", urls=PIX),
          "valorCentavos"),
        b("key-cursor", "json_key", rename_key("proximoCursor", "cursor", urls=PIX),
          "proximoCursor"),
        b("key-pagador-cpf", "json_key", rename_key("cpf", "documento", urls=PIX,
                                                    inside="pagador"),
          "amount", "label", "pagador.cpf"),
        b("embedded-cpf-renamed", "json_key", embedded_state(
            walk_keys("cpfMascarado", "documentoMascarado", "cliente")), "cpfMascarado",
          "holder_cpf"),
        b("format-horario-brazilian", "format", _items(
            lambda p: {**p, "horario": re.sub(r"(\d{4})-(\d\d)-(\d\d)T(\d\d:\d\d).*",
                                              r"\3/\2/\1 \4", str(p["horario"]))}, PIX,
            "transferencias"), "date"),
        b("rows-half", "rows", _items(halve([0]), PIX, "transferencias"), "row count fell"),
        i("extra-keys", _items(lambda p: {**p, "txid": None, "status": "CONCLUIDA"}, PIX,
                               "transferencias")),
        i("party-extra-keys", _items(lambda p: {**p, "pagador": {**p["pagador"],
                                                                 "tipoConta": "CACC"}}, PIX,
                                     "transferencias")),
        i("key-order", _items(lambda p: dict(reversed(list(p.items()))), PIX,
                              "transferencias")),
        i("meta-object", json_edit(lambda d: {**d, "parametros": {"inicio": None}}
                                   if isinstance(d, dict) else d, urls=PIX)),
        i("horario-with-offset", _items(local, PIX, "transferencias")),
        i("message-dropped", _items(lambda p: {k: v for k, v in p.items()
                                               if k != "infoPagador"}, PIX, "transferencias")),
        *html_noise("bap", BAP, TEXTS, skip=SHELL_NOISE, rows=None),
    ]


def aurora() -> list[Mutation]:
    return [*_hybrid(), *_app(), *_pix()]


__all__ = ["aurora"]
