"""``engine audit``: the committed fixtures are clean, and a secret planted in a copy of them
(credential, Set-Cookie, IBAN, card number, name, token) is found, by file:line and rule,
without the audit ever printing it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli.recording import audit
from engine.harness.audit import audit_paths
from engine.harness.fixture import load_fixture
from engine.harness.har import write_exchanges
from sites.banque_demo.data import CUSTOMER_NAME, DEMO_PASSWORD
from sites.banque_demo.iban import french_iban
from tests.conftest import ROOT

FIXTURES = ROOT / "fixtures"
SCENARIO = FIXTURES / "banque-demo" / "normal"
IBAN = french_iban("30004", "00010", "00123456789")
CARD = "4970 1012 3456 7893"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0TH"
needs_fixtures = pytest.mark.skipif(not SCENARIO.exists(), reason="no committed fixtures")


@needs_fixtures
def test_the_committed_fixtures_pass_the_audit() -> None:
    assert audit_paths([FIXTURES]) == []


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "banque-demo" / "normal"
    shutil.copytree(SCENARIO, target)
    return target


def plant(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text + "\n", encoding="utf-8")


@needs_fixtures
def test_planted_secrets_are_found_by_rule_and_line(copy: Path) -> None:
    snapshot = copy / "snapshots" / "001-accounts.html"
    plant(snapshot, f"<p>code {DEMO_PASSWORD}</p>")
    plant(snapshot, f"<td>{IBAN}</td>")
    plant(snapshot, f"<td>{CARD}</td>")
    plant(snapshot, f"<span>{CUSTOMER_NAME}</span>")
    fixture = load_fixture(copy)
    exchanges = fixture.exchanges()
    exchanges[0]["headers"]["Set-Cookie"] = "bd_session=abc; HttpOnly"
    exchanges[0]["request_headers"]["authorization"] = f"Bearer {JWT}"
    exchanges[0]["request_headers"]["x-forwarded-auth"] = "Bearer abcdefghijklmnop1234"
    write_exchanges(copy, exchanges, fixture.meta["base_url"])
    findings = audit_paths([copy.parent])
    by_rule = {(f.path.name, f.rule) for f in findings}
    for expected in [("001-accounts.html", "known credential"),
                     ("001-accounts.html", "unmasked IBAN"),
                     ("001-accounts.html", "card number (Luhn-valid)"),
                     ("001-accounts.html", "customer name"),
                     ("recording.har", "set-cookie header"),
                     ("recording.har", "authorization header"),
                     ("recording.har", "JWT-looking token"),
                     ("recording.har", "bearer token")]:
        assert expected in by_rule, expected
    lines = snapshot.read_text().splitlines()
    credential = next(f for f in findings if f.rule == "known credential")
    assert DEMO_PASSWORD in lines[credential.line - 1]


@needs_fixtures
def test_the_command_fails_and_never_prints_the_secret(copy: Path) -> None:
    plant(copy / "expected.json", f'{{"x": "{IBAN}", "y": "{DEMO_PASSWORD}"}}')
    result = CliRunner().invoke(audit, [str(copy.parent)])
    assert result.exit_code == 1
    assert "expected.json:" in result.output and "unmasked IBAN" in result.output
    for secret in (IBAN, IBAN.replace(" ", ""), DEMO_PASSWORD, "3000 4000"):
        assert secret not in result.output


def test_environment_secrets_and_no_false_positives(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    page = tmp_path / "page.html"
    page.write_text("<td>/compte/40001234567/operations</td><td>XXXX XXXX XXXX 3521</td>\n"
                    "<td>XXXX XXXX XXXX XXXX XXXX XXX8 978</td><p>csrf=scrubbed-token-001</p>\n"
                    "<p>hunter2-horse</p>\n")
    assert audit_paths([tmp_path]) == []
    monkeypatch.setenv("ENGINE_AUDIT_SECRETS", "hunter2-horse, other")
    assert [(f.line, f.rule) for f in audit_paths([tmp_path])] == [(3, "known credential")]


def test_a_redaction_inside_a_word_is_a_finding(tmp_path: Path) -> None:
    (tmp_path / "expected.json").write_text('{"url": "/compte/4000***7/operations"}\n')
    assert [f.rule for f in audit_paths([tmp_path], secrets=[], names=[])] == [
        "redaction inside a word (it shows where the secret was)"]


def test_third_party_javascript_is_read_for_credentials_only(tmp_path: Path) -> None:
    from tests.privacy.json_app import PASSWORD, VENDOR_JS

    script = tmp_path / "static" / "vendor.js"
    script.parent.mkdir()
    script.write_text(VENDOR_JS + 'var help = "help@payflow.example", n = "+33 6 12 34 56 78";\n')
    assert audit_paths([tmp_path], secrets=[PASSWORD], names=[], allowlists=[]) == []
    script.write_text(VENDOR_JS + f'var typed = "{PASSWORD}";\n')
    assert [f.rule for f in audit_paths([tmp_path], secrets=[PASSWORD], names=[],
                                        allowlists=[])] == ["known credential"]


def test_a_reviewed_allowlist_suppresses_exactly_what_it_names(tmp_path: Path) -> None:
    page = tmp_path / "bank" / "normal" / "snapshots" / "001-accounts.html"
    page.parent.mkdir(parents=True)
    page.write_text("<p>Service client : 01 23 45 67 89</p>\n<p>Mobile : 06 12 34 56 78</p>\n")
    allowlist = tmp_path / "audit-allowlist.yaml"
    allowlist.write_text(
        "- path: bank/*/snapshots/*.html\n  rule: phone number\n  value: 01 23 45 67 89\n"
        "  reason: the bank's customer-service number, on every page; not the customer's\n")
    findings = audit_paths([tmp_path], secrets=[], names=[])  # found in the audited folder
    assert [(f.line, f.rule) for f in findings] == [(2, "phone number")]
    assert audit_paths([page], secrets=[], names=[]) == findings  # and above an audited file
    allowlist.write_text("- path: bank/*/snapshots/*.html\n  rule: phone number\n"
                         "- {path: '*', rule: '*', reason: ''}\n")
    problems = [(f.path.name, f.line, f.rule) for f in audit_paths([tmp_path], secrets=[],
                                                                   names=[])]
    assert ("audit-allowlist.yaml", 1, "allowlist entry without reason") in problems
    assert ("audit-allowlist.yaml", 3, "allowlist entry without reason") in problems
    assert ("001-accounts.html", 1, "phone number") in problems  # nothing suppressed


@needs_fixtures
def test_the_committed_allowlist_is_reviewed() -> None:
    import yaml

    path = FIXTURES / "audit-allowlist.yaml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    assert all(len(str(e.get("reason", ""))) >= 20 for e in entries)
