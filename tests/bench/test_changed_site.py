"""The changed copies of Banque Démo the fallback configurations run against: unchanged until
the benchmark starts the change, then the change and nothing else."""

from __future__ import annotations

from bench.baselines import login_form
from bench.changed_site import CONTROL, SCRIPT_SUFFIX, changed_app
from sites.banque_demo.data import DEMO_PASSWORD, DEMO_USERNAME


def _login(client, headers: dict[str, str]) -> str:  # type: ignore[no-untyped-def]
    csrf, keys = login_form(client.get("/connexion").get_data(as_text=True))
    assert csrf and len(keys) == 10, "the login page's shape changed"
    answer = client.post("/connexion", headers=headers, follow_redirects=True, data={
        "csrf_token": csrf, "identifiant": DEMO_USERNAME,
        "code_secret": ",".join(keys[d] for d in DEMO_PASSWORD)})
    return answer.get_data(as_text=True)


def test_the_shield_stops_plain_form_posts_only_once_started() -> None:
    app = changed_app("shield")
    assert 'id="deconnexion"' in _login(app.test_client(), {})  # before: the site as it was
    assert app.test_client().post(CONTROL).status_code == 204
    assert "Activez JavaScript" in _login(app.test_client(), {})
    browser_like = {"Sec-Fetch-Mode": "navigate"}
    assert 'id="deconnexion"' in _login(app.test_client(), browser_like)


def test_the_new_script_build_changes_bytes_not_behaviour() -> None:
    app = changed_app("script")
    client = app.test_client()
    before = client.get("/static/keypad.js").get_data()
    assert not before.endswith(SCRIPT_SUFFIX)
    client.post(CONTROL)
    after = client.get("/static/keypad.js").get_data()
    assert after == before + SCRIPT_SUFFIX
    assert 'id="deconnexion"' in _login(app.test_client(), {})  # the site still logs in
