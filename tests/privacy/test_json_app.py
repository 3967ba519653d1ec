"""The issue's "done" test: a recording of a third-party JSON app. The audit finds every
planted personal value (each asserted by its value's digest and its rule) in the recording as
``exchanges.json``, as HAR and as a vcrpy cassette, and nothing in any script; the browser
scrubber and the cassette scrubber (the latter through vcrpy against a real HTTP server on
loopback) remove every one of them, in every encoding, and what they write passes the audit
while keeping the shapes extraction needs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import yaml
from flask import Flask, Response, request

from engine.harness import fixture as fx
from engine.harness.audit import Finding, audit_paths
from engine.harness.audit_allowlist import digest
from engine.harness.cassette import api_cassette
from engine.harness.scrub import make_placeholder, plan_scrub
from engine.privacy.detectors import is_card, is_iban, is_phone
from engine.privacy.text import encoded_forms
from engine.recipe import load_recipe
from sites._server import ThreadedServer
from tests.conftest import RECIPES
from tests.privacy import json_app as app
from tests.privacy.json_app import ACCESS, PASSWORD, PLANTED, USERNAME

RECIPE = load_recipe(RECIPES / "neobanque-hybrid.yaml")
SECRETS = {USERNAME: make_placeholder(USERNAME, 0), PASSWORD: make_placeholder(PASSWORD, 1)}


def audit(folder: Path) -> list[Finding]:
    return audit_paths([folder], secrets=[PASSWORD], names=[], allowlists=[])


def missing_from(findings: list[Finding]) -> dict[str, str]:
    """Planted values no finding names with the expected rule."""
    rules: dict[str, set[str]] = {}
    for finding in findings:
        rules.setdefault(finding.digest, set()).add(finding.rule)
    return {value: what for value, (what, rule) in PLANTED.items()
            if rule not in rules.get(digest(value), set())}


def script_lines(exchanges_file: Path) -> set[int]:
    data = json.loads(exchanges_file.read_text(encoding="utf-8"))
    lines = exchanges_file.read_text(encoding="utf-8").splitlines()
    bodies = [json.dumps(e["body"], ensure_ascii=False) for e in data
              if "javascript" in e["headers"]["content-type"]]
    return {n for n, line in enumerate(lines, 1) if any(b in line for b in bodies)}


# ----------------------------------------------------------------------------- the audit

def test_the_audit_finds_every_planted_value_and_nothing_in_the_scripts(tmp_path: Path) -> None:
    folder = app.write_raw(tmp_path / "payflow" / "normal", app.exchanges())
    findings = audit(tmp_path)
    assert missing_from(findings) == {}
    rules = {f.rule for f in findings}
    assert {"known credential", "set-cookie header", "authorization header"} <= rules
    in_scripts = [f for f in findings if f.path.name == "exchanges.json"
                  and f.line in script_lines(folder / "exchanges.json")]
    assert in_scripts == [], "the vendor's and the demo sites' code raised findings"
    for finding in findings:  # what lands in CI logs never shows a value
        assert not any(value in str(finding) for value in [*PLANTED, PASSWORD])


def test_the_same_recording_as_har_and_as_a_cassette(tmp_path: Path) -> None:
    recording = app.exchanges()
    entries = [{"request": {"method": ex.method, "url": ex.url,
                            "headers": [{"name": k, "value": v}
                                        for k, v in ex.request_headers.items()],
                            **({"postData": {"mimeType": "application/json",
                                             "text": ex.post_data}} if ex.post_data else {})},
                "response": {"status": ex.status,
                             "headers": [{"name": k, "value": v} for k, v in ex.headers.items()],
                             "content": {"mimeType": ex.headers["content-type"],
                                         "text": ex.text()}}} for ex in recording]
    har = tmp_path / "har" / "recording.har"
    har.parent.mkdir()
    har.write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}, indent=1))
    interactions = [{"request": {"method": ex.method, "uri": ex.url, "body": ex.post_data,
                                 "headers": {k: [v] for k, v in ex.request_headers.items()}},
                     "response": {"status": {"code": 200, "message": "OK"},
                                  "headers": {k: [v] for k, v in ex.headers.items()},
                                  "body": {"string": ex.text()}}} for ex in recording]
    cassette = tmp_path / "vcr" / "cassette.yaml"
    cassette.parent.mkdir()
    cassette.write_text(yaml.safe_dump({"interactions": interactions, "version": 1},
                                       allow_unicode=True, width=100))
    for folder in (har.parent, cassette.parent):
        findings = audit(folder)
        assert missing_from(findings) == {}, folder.name
        assert {"set-cookie header", "authorization header"} <= {f.rule for f in findings}


def test_tokens_the_recording_issued_are_found_in_scripts(tmp_path: Path) -> None:
    recording = app.exchanges()
    leaky = f'<html><body><script>window.__SESSION__ = "{ACCESS}";</script></body></html>'
    recording.append(app._exchange("/dashboard", leaky, "text/html"))
    recording.append(app._exchange("/static/boot.js", f'var t = "{app.REFRESH}";',
                                   "application/javascript"))
    folder = app.write_raw(tmp_path / "payflow" / "normal", recording)
    lines = (folder / "exchanges.json").read_text(encoding="utf-8").splitlines()
    issued = [f for f in audit(tmp_path) if f.rule == "token issued during the recording"]
    assert any(ACCESS in lines[f.line - 1] and "__SESSION__" in lines[f.line - 1]
               for f in issued)
    assert any("var t" in lines[f.line - 1] for f in issued)


def test_the_demo_sites_javascript_raises_nothing() -> None:
    scripts = sorted((RECIPES.parent / "sites").glob("*/static/*.js"))
    assert len(scripts) >= 4
    assert audit_paths(scripts, allowlists=[]) == []


# ----------------------------------------------------------------------------- the scrubbers

def scrubbed_recording(tmp_path: Path) -> tuple[Path, list[dict[str, Any]]]:
    recording = app.exchanges()
    documents = [app.dashboard_html()]
    scrub = plan_scrub(RECIPE, SECRETS, recording, documents)
    folder = tmp_path / "payflow" / "normal"
    (folder / "snapshots").mkdir(parents=True)
    bodies: dict[str, int] = {}
    exchanges = [fx.exchange_json(i, ex, scrub, app.ORIGIN, bodies)
                 for i, ex in enumerate(recording, 1)]
    fx.write_json(folder / "exchanges.json", exchanges)
    (folder / "snapshots" / "001-accounts.html").write_text(scrub.text(documents[0]),
                                                            encoding="utf-8")
    labels = [t["label"] for t in app.TRANSACTIONS["items"]]
    fx.write_json(folder / "expected.json", scrub.obj({"transactions": [
        {"label": label, "counterparty": t.get("creditorName") or t.get("debtorName")}
        for label, t in zip(labels, app.TRANSACTIONS["items"], strict=True)]}))
    return folder, exchanges


def test_the_browser_scrubber_removes_every_planted_value(tmp_path: Path) -> None:
    folder, _exchanges = scrubbed_recording(tmp_path)
    written = "\n".join(p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.is_file())
    for value in [*PLANTED, PASSWORD, USERNAME, "s3ss-9d8c7b6a5f4e3d2c1b0a"]:
        for form in encoded_forms(value):
            assert form not in written, f"{PLANTED.get(value, ('a secret',))[0]} survived"
    assert audit(tmp_path) == []


def test_masks_keep_the_shape_and_one_value_masks_one_way(tmp_path: Path) -> None:
    folder, exchanges = scrubbed_recording(tmp_path)
    answers = {ex["url"].split("?")[0]: ex for ex in exchanges}
    me = json.loads(answers["/api/me"]["body"])
    assert me["firstName"] == "Xxx" and me["lastName"] == "Xxxxx"  # nothing of "Ana" left
    assert me["email"] == "xxx.xxxxx@xxxxx.xxx"
    assert me["mobile"] == "+00 0 00 00 00 00" and not is_phone(me["mobile"], labelled=True)
    assert me["birthDate"] == "0000-00-00" and me["address"]["street"] == "00 xxx xxx Xxxxx"
    assert me["id"] == "usr-771"  # an id is not personal data
    accounts = json.loads(answers["/api/accounts"]["body"])
    assert accounts[0]["accountNumber"] == "000000006789"  # long numbers keep their last four
    assert accounts[0]["iban"] == "DE00 0000 0000 0000 0030 00"
    assert not is_iban(accounts[0]["iban"]) and accounts[0]["bic"] == "COBADEFFXXX"
    assert accounts[1]["cardNumber"] == "0000 0000 0000 7893"
    assert not is_card(accounts[1]["cardNumber"])
    assert accounts[0]["balance"] == "1520.33"  # amounts never
    session = json.loads(answers["/api/session"]["body"])
    assert session["access_token"].startswith("scrubbed-token-")
    items = json.loads(answers["/api/accounts/acc-1/transactions"]["body"])["items"]
    assert [t["date"] for t in items] == ["2026-11-19", "2026-11-18", "2026-11-17"]
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    assert items[1]["debtorName"] == items[1]["displayName"] == "Xxxxx Xxxxx"
    assert expected["transactions"][1]["label"] == "VIR RECU DE Xxxxx Xxxxx"
    assert expected["transactions"][0]["label"] == items[0]["label"] == "VIR SEPA XXXX XXXXXX"
    vendor = answers["/static/vendor.js"]["body"]
    assert vendor == app.VENDOR_JS, "the vendor's code (and its public key) must run at replay"
    for path, script in app.demo_scripts().items():
        assert answers[path].get("body", script) == script


# ----------------------------------------------------------------------------- cassette

def payflow_api() -> Flask:
    api = Flask("payflow")
    answers = {"/api/me": app.ME, "/api/accounts": app.ACCOUNTS,
               "/api/accounts/acc-1/transactions": app.TRANSACTIONS}

    @api.post("/api/session")
    def session() -> Response:
        return Response(json.dumps(app.SESSION), mimetype="application/json",
                        headers={"Set-Cookie": "pf_session=s3ss-9d8c7b6a5f4e3d2c1b0a"})

    @api.get("/api/<path:rest>")
    def data(rest: str) -> Response:
        if request.headers.get("Authorization") != f"Bearer {ACCESS}":
            return Response("{}", status=401, mimetype="application/json")
        return Response(json.dumps(answers[f"/api/{rest}"]), mimetype="application/json")

    return api


def test_the_cassette_scrubber_removes_every_planted_value(tmp_path: Path) -> None:
    with ThreadedServer(payflow_api()) as site, \
            api_cassette(tmp_path, mode="record", secrets=[USERNAME, PASSWORD]) as report, \
            httpx.Client(base_url=site.url) as client:
        token = client.post("/api/session", json={"username": USERNAME,
                                                  "password": PASSWORD}).json()
        assert token["access_token"] == ACCESS  # the live answer is untouched
        auth = {"Authorization": f"Bearer {token['access_token']}"}
        for path in ("/api/me", "/api/accounts", "/api/accounts/acc-1/transactions"):
            assert client.get(path, headers=auth).status_code == 200
    assert report.recorded == 4
    cassette = (tmp_path / "cassette.yaml").read_text(encoding="utf-8")
    recorded = yaml.safe_load(cassette)
    bodies = "\n".join(i["response"]["body"]["string"].decode() if isinstance(
        i["response"]["body"]["string"], bytes) else i["response"]["body"]["string"]
        for i in recorded["interactions"])
    for value in [*PLANTED, PASSWORD, USERNAME]:
        for form in encoded_forms(value):
            assert form not in cassette and form not in bodies, PLANTED.get(value, value)[0]
    me = json.loads(recorded["interactions"][1]["response"]["body"]["string"])
    assert (me["firstName"], me["email"], me["id"]) == ("Xxx", "xxx.xxxxx@xxxxx.xxx", "usr-771")
    assert audit_paths([tmp_path], secrets=[PASSWORD], names=[], allowlists=[]) == []
