"""Detection rules and built-in status classification, on page snapshots (no browser)."""

from __future__ import annotations

from engine.errors import ErrorKind
from engine.recipe.model import Rule
from engine.runner.detection import PageSnapshot, classify, retry_after_seconds

RULES = [
    ("invalid_credentials", Rule(text="Identifiant ou mot de passe incorrect")),
    ("action_required", Rule(css=".acces-bloque", reason="account_locked")),
    ("unavailable", Rule(css=".maintenance", reason="maintenance")),
    ("blocked", Rule(status=[429], reason="rate_limited")),
    ("blocked", Rule(url=r"/captcha", css="form", reason="captcha")),
]


def page(html: str = "<p>ok</p>", status: int | None = 200, url: str = "http://b/x",
         headers: dict[str, str] | None = None) -> PageSnapshot:
    return PageSnapshot(url=url, status=status, html=f"<html><body>{html}</body></html>",
                        headers=headers or {})


def kind(snapshot: PageSnapshot) -> tuple[str, str] | None:
    error = classify(RULES, snapshot, step="s")
    return (error.kind.value, error.code) if error else None


def test_normal_page_is_not_an_error() -> None:
    assert kind(page()) is None


def test_text_rule_ignores_case_and_whitespace_but_not_scripts() -> None:
    assert kind(page("<div>identifiant  ou\u00a0mot de passe INCORRECT.</div>")) == (
        "invalid_credentials", "invalid_credentials")
    assert kind(page("<script>var m='Identifiant ou mot de passe incorrect'</script>")) is None


def test_css_rule_with_reason_refines_the_code() -> None:
    assert kind(page("<div class='acces-bloque'>x</div>")) == (
        "action_required", "action_required.account_locked")


def test_maintenance_page_served_with_200_is_unavailable() -> None:
    assert kind(page("<div class='maintenance'>x</div>", status=200)) == (
        "unavailable", "unavailable.maintenance")


def test_rules_combine_conditions_with_and() -> None:
    assert kind(page("<form></form>", url="http://b/login")) is None
    assert kind(page("<form></form>", url="http://b/captcha")) == ("blocked", "blocked.captcha")


def test_rate_limit_carries_retry_after_into_the_policy() -> None:
    error = classify(RULES, page(status=429, headers={"retry-after": "120"}), step="s")
    assert error is not None and error.kind is ErrorKind.BLOCKED
    assert error.policy.retry and error.policy.retry_after_seconds == 120


def test_builtin_statuses_when_no_rule_matches() -> None:
    error = classify([], page(status=503), step="s")
    assert error is not None and error.code == "unavailable.server_error"
    error = classify([], page(status=429), step="s")
    assert error is not None and error.kind is ErrorKind.BLOCKED
    assert classify([], page(status=404), step="s") is None


def test_retry_after_http_date() -> None:
    assert retry_after_seconds({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0
    assert retry_after_seconds({}) is None
