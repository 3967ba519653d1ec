"""Scrubbing: every built-in rule, planted secrets in every place a recording keeps text, the
keypad, and masks that are deterministic and keep what extraction needs. No browser here."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from urllib.parse import parse_qsl, quote, quote_plus

import pytest
from parsel import Selector

from engine.extraction.transforms import is_valid_iban, mask_account_number
from engine.harness.fixture import Exchange, expected_json
from engine.harness.scrub import (
    Scrubber,
    find_cards,
    luhn_valid,
    make_placeholder,
    mask_keep_tail,
    mask_name,
    plan_scrub,
)
from engine.models import SyncResult, Transaction, transaction_id
from engine.recipe import load_recipe
from engine.recipe.model import ScrubRules
from sites.banque_demo.iban import french_iban
from tests.conftest import RECIPES

RECIPE = load_recipe(RECIPES / "banque-demo.yaml")
IBAN = french_iban("30004", "00010", "00123456789")  # FR76 3000 4000 1000 1234 5678 978
CARD = "4970 1012 3456 7893"  # Luhn-valid Visa-looking number
PASSWORD, USERNAME = "123456", "jdupont"
SECRETS = {PASSWORD: "246801", USERNAME: "qqqqqqq"}
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"


def page(body: str) -> str:
    return f"<html><head><title>t</title></head><body>{body}</body></html>"


def exchange(url: str = "http://bank.test/", *, body: str = "", post: str | None = None,
             headers: dict[str, str] | None = None, ctype: str = "text/html",
             method: str = "GET", request_headers: dict[str, str] | None = None) -> Exchange:
    return Exchange(method=method, url=url, resource_type="document", via="browser",
                    request_headers=request_headers or {}, post_data=post, status=200,
                    headers={"content-type": ctype, **(headers or {})},
                    body=body.encode("utf-8"))


def scrubber(*exchanges: Exchange, documents: tuple[str, ...] = (), recipe=RECIPE,
             typed: str | None = None) -> Scrubber:
    return plan_scrub(recipe, SECRETS, list(exchanges), list(documents), keypad_typed=typed)


# ----------------------------------------------------------------------------- credentials

def test_credentials_replaced_in_url_form_header_html_and_json() -> None:
    s = scrubber()
    assert s.text(f"/login?user={USERNAME}&pin={PASSWORD}") == "/login?user=qqqqqqq&pin=246801"
    assert s.text(f"identifiant={USERNAME}&code={PASSWORD}") == "identifiant=qqqqqqq&code=246801"
    assert s.headers({"Referer": f"http://bank.test/?u={USERNAME}"}) == {
        "Referer": "http://bank.test/?u=qqqqqqq"}
    assert s.text(page(f'<input value="{USERNAME}"><b>{PASSWORD}</b>')) == page(
        '<input value="qqqqqqq"><b>246801</b>')
    body = json.dumps({"login": USERNAME, "password": PASSWORD})
    assert json.loads(s.text(body)) == {"login": "qqqqqqq", "password": "246801"}


def test_encoded_forms_of_a_credential_are_replaced() -> None:
    secret = "p@ss w&rd<é>"
    s = Scrubber({secret: "qqqqqqqqqqqq"})
    for form in (quote(secret, safe=""), quote_plus(secret), "p@ss w&amp;rd&lt;é&gt;",
                 json.dumps(secret)[1:-1]):
        assert "qqq" in s.text(f"x={form};"), form
        assert "w&" not in s.text(f"x={form};").replace("w&amp;", "") or form == secret


def test_short_secret_is_not_found_inside_a_longer_number() -> None:
    s = scrubber()
    text = "/compte/40001234567/operations and 4123456 and 123456."
    assert s.text(text) == "/compte/40001234567/operations and 4123456 and 246801."


def test_placeholders_keep_the_shape() -> None:
    assert make_placeholder("123456").isdigit() and len(make_placeholder("123456")) == 6
    assert make_placeholder("123456") != "123456"
    assert make_placeholder("2468013579"[:6]) != "246801"  # never the value itself
    email = make_placeholder("demo@neobanque.test")
    assert email.count("@") == 1 and len(email) == len("demo@neobanque.test")
    assert set(make_placeholder("4321", alphabet={"1", "7"})) <= {"1", "7"}  # keypad offers


@pytest.mark.parametrize("value", ["529.982.247-25", "52998224725"])
def test_a_cpf_placeholder_keeps_valid_check_digits(value: str) -> None:
    """Banco Aurora's login form checks the CPF's digits before calling its API: a replay
    typing an invalid stand-in would stop where the recording went on."""
    from stdnum.br import cpf

    stand_in = make_placeholder(value)
    assert cpf.is_valid(stand_in) and stand_in != value
    assert [c.isdigit() for c in stand_in] == [c.isdigit() for c in value]


# ----------------------------------------------------------------------------- headers, tokens

def test_cookies_and_auth_headers_dropped_and_cookie_values_replaced_elsewhere() -> None:
    sid = "s3ss10n-v4lue-0123456789abcdef"
    ex = exchange(headers={"set-cookie": f"sid={sid}; HttpOnly; Path=/"},
                  request_headers={"cookie": f"sid={sid}", "authorization": "Basic Zm9vOmJhcg=="},
                  body=page(f"<script>var s='{sid}'</script>"))
    s = scrubber(ex)
    assert s.headers(ex.headers) == {"content-type": "text/html"}
    assert s.headers(ex.request_headers) == {}
    assert sid not in s.text(ex.text() or "")


def test_csrf_token_replaced_consistently_in_page_and_post() -> None:
    token = "Rf3jK6Gjsk-Dg59eWt2rswGy-PRE5Fr8"
    form = page(f'<form><input type="hidden" name="csrf_token" value="{token}"></form>')
    post = exchange(method="POST", post=f"csrf_token={token}&x=1", body="ok")
    s = scrubber(exchange(body=form), post)
    scrubbed_page, scrubbed_post = s.text(form), s.text(post.post_data or "")
    assert token not in scrubbed_page and token not in scrubbed_post
    value = Selector(text=scrubbed_page).css("input::attr(value)").get()
    assert dict(parse_qsl(scrubbed_post))["csrf_token"] == value


def test_json_token_keys_jwt_and_bearer() -> None:
    answer = json.dumps({"challenge": "Zx8-kq2LmP0aa91", "access_token": JWT, "status": "ok"})
    s = scrubber(exchange("http://bank.test/api/session", body=answer, ctype="application/json"))
    scrubbed = json.loads(s.text(answer))
    assert scrubbed["status"] == "ok"
    assert "Zx8-kq2LmP0aa91" not in s.text(answer) and JWT not in s.text(answer)
    # the token the answer issued has one placeholder everywhere it reappears
    placeholder = json.loads(s.text(answer))["access_token"]
    assert placeholder.startswith("scrubbed-token-")
    assert s.text(f"Authorization: Bearer {JWT}") == f"Authorization: Bearer {placeholder}"
    other = JWT.replace("dozjg", "AAAAA")  # a JWT nothing announced: the pattern finds it
    assert s.text(f"next={other}&") == "next=[scrubbed-jwt]&"
    assert s.text("Bearer abcdefghijklmnop1234") == "Bearer [scrubbed]"


# ----------------------------------------------------------------------------- numbers, names

def test_iban_masked_keeping_last_four_so_mask_true_fields_are_unchanged() -> None:
    masked = Scrubber().text(f"<td>{IBAN}</td> {IBAN.replace(' ', '')}")
    assert IBAN not in masked and IBAN.replace(" ", "") not in masked
    spaced = masked.split("</td>")[0].removeprefix("<td>")
    assert len(spaced) == len(IBAN) and not is_valid_iban(spaced.replace("X", "0"))
    assert mask_account_number(spaced) == mask_account_number(IBAN)
    not_an_iban = "FR76 3000 4000 1000 1234 5678 900"  # wrong check digits
    assert Scrubber().text(not_an_iban) == not_an_iban


def test_card_numbers_masked_only_when_luhn_valid() -> None:
    assert luhn_valid(CARD.replace(" ", ""))
    assert Scrubber().text(f"carte {CARD}.") == "carte 0000 0000 0000 7893."
    almost = "4970 1012 3456 7894"
    assert Scrubber().text(almost) == almost
    assert list(find_cards("ref 1700000000000")) == []  # a millisecond timestamp


def test_amounts_and_dates_are_never_touched() -> None:
    text = "<td>20/11/2026</td><td>-1 234,56 €</td><td>2026-11-20</td><td>4970352</td>"
    assert scrubber().text(text) == text


def test_customer_name_from_html_and_json_masked_in_every_case() -> None:
    header = page('<span class="client">M. Jean Dupont</span>')
    profile = json.dumps({"name": "Camille Martin-Lefèvre"}, ensure_ascii=False)
    s = scrubber(exchange(body=header), exchange("http://bank.test/api/me", body=profile,
                                                 ctype="application/json"))
    assert s.text(header) == page('<span class="client">M. Xxxx Xxxxxx</span>')
    assert s.text("VIREMENT JEAN DUPONT") == "VIREMENT XXXX XXXXXX"
    assert "Martin" not in s.text(profile) and "Camille" not in s.text("camille martin-lefèvre")
    assert s.text("VIR INST DE M. PAUL DUPONT") == "VIR INST DE M. PAUL DUPONT"  # someone else


def test_recipe_patterns_and_texts_extend_the_rules() -> None:
    recipe = RECIPE.model_copy(update={"scrub": ScrubRules(
        patterns=[r"client n° (\d{8})"], texts=["12 rue des Lilas"])})
    s = scrubber(recipe=recipe)
    assert s.text("client n° 12345678") == "client n° 00005678"
    assert s.text("au 12 rue des Lilas, Paris") == "au 00 xxx xxx Xxxxx, Paris"


def test_masked_field_values_are_masked_everywhere() -> None:
    s = plan_scrub(RECIPE, {}, [], [], masked_values=["ACC-99887766"])
    assert s.text("n° ACC-99887766 !") == "n° XXX-00007766 !"


def test_masking_is_deterministic() -> None:
    ex = exchange(body=page('<span class="client">M. Jean Dupont</span>'
                            '<input type="hidden" name="csrf" value="abcdefgh12345678">'))
    texts = [plan_scrub(RECIPE, SECRETS, [ex], []).text(ex.text() or "") for _ in range(2)]
    assert texts[0] == texts[1]
    assert mask_keep_tail(IBAN) == mask_keep_tail(IBAN) and mask_name("Éa b") == "Xx x"


# ----------------------------------------------------------------------------- keypad

def keypad_page(tokens: dict[str, str]) -> str:
    keys = "".join(f'<button type="button" class="key" data-key="{t}">{d}</button>'
                   for t, d in tokens.items())
    return page(f'<form><div class="keypad">{keys}</div>'
                '<input type="hidden" id="code-secret" name="code_secret" value=""></form>')


def test_keypad_tokens_and_posted_entry_cannot_reveal_the_pin() -> None:
    tokens = {f"{i:x}1f2e3d4": str((i * 7) % 10) for i in range(10)}  # shuffled digits
    by_digit = {d: t for t, d in tokens.items()}
    posted_value = ",".join(by_digit[c] for c in PASSWORD)
    login = exchange("http://bank.test/connexion", body=keypad_page(tokens))
    post = exchange("http://bank.test/connexion", method="POST",
                    post=f"identifiant={USERNAME}&code_secret={quote(posted_value, safe='')}")
    s = scrubber(login, post, typed="246801")
    scrubbed_page = Selector(text=s.text(login.text() or ""))
    mapping = {b.attrib["data-key"]: b.xpath("string()").get()
               for b in scrubbed_page.css("button.key")}
    assert not set(tokens) & set(mapping), "the page keeps its real tokens"
    posted = dict(parse_qsl(s.text(post.post_data or "")))["code_secret"].split(",")
    typed = "".join(mapping[t] for t in posted)
    assert typed == "246801" != PASSWORD  # the recording types the placeholder


# ----------------------------------------------------------------------------- expected.json

def test_expected_json_rehashes_ids_whose_label_was_masked() -> None:
    day, amount, raw = date(2026, 11, 2), Decimal("-10.00"), "VIR JEAN DUPONT"
    tid = transaction_id("banque-demo", "A1", day, amount, raw, 0)
    result = SyncResult(institution="banque-demo", started_at="2026-11-20T10:00:00Z",
                        transactions=[Transaction(id=tid, account_id="A1", date=day,
                                                  label=raw, raw_label=raw, amount=amount)])
    s = scrubber(exchange(body=page('<span class="client">Jean Dupont</span>')))
    view = expected_json(result, s.obj)
    tx = view["transactions"][0]
    assert tx["raw_label"] == "VIR XXXX XXXXXX"
    assert tx["id"] == transaction_id("banque-demo", "A1", day, amount, "VIR XXXX XXXXXX", 0)
    assert "started_at" not in view and view["institution"] == "banque-demo"


@pytest.mark.parametrize("text", ["4000***7", "x 4000***7/y"])
def test_expected_json_widens_partial_redactions(text: str) -> None:
    result = SyncResult(institution="x", started_at="2026-11-20T10:00:00Z", warnings=[text])
    assert "4000" not in expected_json(result, Scrubber().obj)["warnings"][0]
