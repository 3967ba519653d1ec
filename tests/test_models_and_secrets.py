"""Output model invariants, the error policies, and secrets that never print."""

from __future__ import annotations

import json
import pickle
from datetime import date
from decimal import Decimal

import pytest

from engine.errors import POLICIES, ErrorKind, InvalidCredentials, Unavailable
from engine.models import transaction_id
from engine.runner.state import SavedState, StateError, new_key, seal, unseal
from engine.secrets import Redactor, Secret


def test_transaction_ids_are_stable_and_distinguish_identical_rows() -> None:
    args = ("bank", "acc", date(2026, 11, 12), Decimal("-4.20"), "CB BOULANGERIE")
    first, again = transaction_id(*args, 0), transaction_id(*args, 0)
    twin = transaction_id(*args, 1)
    assert first == again != twin
    # formatting noise in the label or amount does not change the id
    assert transaction_id("bank", "acc", date(2026, 11, 12), Decimal("-4.2"),
                          "cb  boulangerie", 0) == first


def test_every_kind_has_a_policy_and_credentials_are_never_retried() -> None:
    assert set(POLICIES) == set(ErrorKind)
    assert not POLICIES[ErrorKind.INVALID_CREDENTIALS].retry
    assert POLICIES[ErrorKind.UNAVAILABLE].retry
    info = Unavailable("down", reason="maintenance", retry_after=7200).info()
    assert info.code == "unavailable.maintenance"
    assert info.policy.retry_after_seconds == 7200
    assert json.loads(info.model_dump_json())["policy"]["retry"] is True


def test_secret_never_shows_itself() -> None:
    secret = Secret("hunter22")
    assert "hunter22" not in f"{secret} {secret!r} {secret!s} {[secret]} {({'p': secret})}"
    assert secret.reveal() == "hunter22"
    with pytest.raises(TypeError):
        pickle.dumps(secret)


def test_redactor_scrubs_plain_and_encoded_forms() -> None:
    redact = Redactor(["p@ss w0rd", "12"])
    text = "login?pw=p%40ss%20w0rd&x=p%40ss+w0rd <b>p@ss w0rd</b> 12 items"
    assert redact(text) == "login?pw=***&x=*** <b>***</b> 12 items"
    assert redact.scrub_obj({"a": ["p@ss w0rd"]}) == {"a": ["***"]}
    masked = Redactor(["123456"])("account 40001234567, pin=123456.")
    assert masked == "account 40001234567, pin=***."


def test_errors_repr_and_str_carry_location_not_secrets() -> None:
    error = InvalidCredentials("rejected", step="login[3] click", url="http://b/login")
    assert str(error) == "[invalid_credentials] rejected (step login[3] click, url http://b/login)"


def test_state_round_trip_is_encrypted_and_checked() -> None:
    key = new_key()
    blob = seal(SavedState(kind="session", institution="bank", url="http://b/secret-path"), key)
    assert "secret-path" not in blob
    assert unseal(blob, key, kind="session", institution="bank").url == "http://b/secret-path"
    with pytest.raises(StateError):
        unseal(blob, new_key(), kind="session", institution="bank")
    with pytest.raises(StateError):
        unseal(blob, key, kind="session", institution="other")
    expired = seal(SavedState(kind="resume", institution="bank", expires_at=1.0), key)
    with pytest.raises(StateError, match="expired"):
        unseal(expired, key, kind="resume", institution="bank")


def test_the_readme_error_table_is_generated_from_the_taxonomy() -> None:
    from engine.errors import taxonomy_table
    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert taxonomy_table() in readme, "paste engine.errors.taxonomy_table() into the README"
