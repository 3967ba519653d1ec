"""Key derivation: scrypt for passphrases, HKDF for sub-keys, and what was sealed before opens.

The ``LEGACY_*`` literals were sealed with the code as it was before format v2 (one SHA-256 of
the passphrase for engine state; one HMAC per purpose for the workers' sealing), so these
tests prove an upgrade loses no trusted device, no suspended job and no queued job.
"""

from __future__ import annotations

import time

import pytest
from cryptography.fernet import Fernet

from engine.runner import state as state_module
from engine.runner.state import SavedState, StateError, derive_key, seal, unseal
from engine.workers.sealing import Sealer, SealError

PASSPHRASE = "correct horse battery staple"
FERNET_KEY = "x5N0F3QNdSpl7jI0i5vQ2qH3XhX0Yy7B8m0w4cJ8s1A="
FLEET_PASSPHRASE = "fleet passphrase of 2026"
SPEC = {"credentials": {"username": "demo", "password": "123456"}}

LEGACY_STATE_PASSPHRASE = (
    "gAAAAABrDqFwf_KkP4soPxiPS3V5jjxC4VNialtv8pnjVGk3YINLFW4Qev89LleE08Tcd7LBYLbFoaV2H3CSS_n67sz"
    "TTbLssTDydZ7EpRxg1EnvR1Bst7jXWEt7OgNwtyWUPwouI1DCWF-C2_xdQa_mwc1nzuslDapd3B7QIRQTyg9WgZD4J8T"
    "bb-ajyaeAr5ZFD9Yvvlj3GdRW8zNRzkhMqyNnj0G9HsUgAWcbYJ57tOQnPi-Nffvg5s9OdJw-5IIzfhNheZX0zPKQ0L5"
    "nkKb1Og4IndNQQ5cVL5DnciF_AGxhC16Dxd2WD7OJ6OrzBut-WfehHCJg7IEtXiLDdVO6l2Q5yfNcUQ==")
LEGACY_STATE_FERNET = (
    "gAAAAABrDqFwz3oMWbsDypM8ZUB6atcK-rQqtfgaeNAzZLYB6CdOZauvpnRlLybZuJofyLi3unGJIEWdMw6acu4HFgL"
    "PhAqD122TVhe0K2OTTxBR0-DLUtInitI75EOgpAZNfR4JjULCGNdH17YgJb-rs0kMRItMVSffzCVW7C6TCeUQ8x4kcW4"
    "GoQjMzLjk2un8JyPMCDV6UVPwjtQguHvV8aAyfAms4YGdFoTQf0OAKpyo9UNA0Q-kI_NzSs8iPhECvv7v6M2MECoTTOo"
    "5tMrAGuwEvADJ3m4tKD9bvEtGlAxY24C7pVJTgXfzTu0hWdrIxMJxAGWM5QrVLcLKLnthMCCggT5nFQ==")
LEGACY_JOB_PASSPHRASE = (
    "gAAAAABrDqFwKSk6SMtptOkYBIZ_FTtz0HpIpqugUbx_DeLSGW34Tl0ac1flAO2ySGlVGq-AEdeUUnOUmZBdx_JUUnC"
    "PNFFvkJJWrm3v7AapCtQr_eLZVH37iqQ01Hh2VBoz3wlAFIff36GkcmRRt6XfkCOw1fY-GA==")
LEGACY_JOB_FERNET = (
    "gAAAAABrDqFwU2ZITqdPE9vVJC5Mqhb_QqU2bUvVmD77Gg1geqo8JawWDIHoKD8oJvwuEwtSLcUlUWkm93kRFgAT4EQ"
    "gv-pZF_qeUP6IYROYWLw4eOlcxBo62IZwzmmrT140ywo95HJpmBIfTEiwfg_AHYO1J6lOaA==")
LEGACY_WORKER_STATE = (
    "gAAAAABrDqFwAGw3R8q4isguW99tRj102laOulCzfpe-kQ_lnRtbeb5YZ-ojESrmsv0wagvovVU1hqlR56yVn-PUY7O"
    "grwVuS65YgctrWGnjDtYadrnKR21Ry4eXw2p5D3Q36Akiozo5xBXwhQ3TLxWez8yvoa6L1k--YOlDnDUCECZ9pOJIsc_"
    "rti1UhQAjDg7Wmw_S5B5EUBF7LArhyq7rYTaFIg-B1NxVi8BnpHLCDcqPUibS7r23fGM_4-2aLaeG_H5xFsTDwfAOhLL"
    "30TRvimsE-Ddxfacq1RQFNlUkSa_4tu_vMVdovsw_9hLOp_rgHXvUvIZxUtNFK-kFGvjRamQ09ZmCBQ==")
"""A session state the engine sealed on a worker, under the workers' previous state key."""


def _session() -> SavedState:
    return SavedState(kind="session", institution="banque-demo", expires_at=time.time() + 60)


def test_states_sealed_before_v2_still_open() -> None:
    for blob, key in ((LEGACY_STATE_PASSPHRASE, PASSPHRASE), (LEGACY_STATE_FERNET, FERNET_KEY)):
        opened = unseal(blob, key, kind="session", institution="banque-demo")
        assert [c.value for c in opened.cookies] == ["legacy-cookie-value"]
    with pytest.raises(StateError):
        unseal(LEGACY_STATE_PASSPHRASE, "another passphrase", kind="session",
               institution="banque-demo")


def test_a_passphrase_goes_through_scrypt_with_a_salt_in_the_blob() -> None:
    blob = seal(_session(), PASSPHRASE)
    version, salt, token = blob.split(".", 2)
    assert version == "v2" and len(salt) == 22 and token.startswith("gAAAAA")
    assert unseal(blob, PASSPHRASE, kind="session", institution="banque-demo").kind == "session"
    with pytest.raises(StateError, match="cannot be read"):
        unseal(blob, "wrong passphrase", kind="session", institution="banque-demo")
    with pytest.raises(StateError):  # a tampered salt is a different key
        unseal(f"v2.{'A' * 22}.{token}", PASSPHRASE, kind="session", institution="banque-demo")
    with pytest.raises(StateError):  # and a malformed one is refused, not a crash
        unseal(f"v2.!!.{token}", PASSPHRASE, kind="session", institution="banque-demo")
    # The key is scrypt(passphrase, salt): not the old unsalted SHA-256.
    legacy = state_module._legacy_key(PASSPHRASE)
    assert Fernet(derive_key(PASSPHRASE)).encrypt(b"x") and derive_key(PASSPHRASE) != legacy


def test_a_real_fernet_key_is_used_as_is() -> None:
    key = Fernet.generate_key()
    assert derive_key(key) == key and derive_key(key.decode()) == key
    blob = seal(_session(), key)
    assert not blob.startswith("v2.")  # nothing to stretch: a plain Fernet token
    Fernet(key).decrypt(blob.encode())


def test_scrypt_is_paid_once_per_passphrase(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sync opens a state and seals a new one: one derivation, not one per blob."""
    passphrase = f"passphrase {time.time_ns()}"  # not in the cache yet
    calls = 0
    real = state_module.Scrypt

    def counting_scrypt(**params: object) -> object:  # the real KDF, counted
        nonlocal calls
        calls += 1
        return real(**params)  # type: ignore[arg-type]

    monkeypatch.setattr(state_module, "Scrypt", counting_scrypt)
    started = time.perf_counter()
    first = seal(_session(), passphrase)
    unseal(first, passphrase, kind="session", institution="banque-demo")
    second = seal(_session(), passphrase)
    unseal(second, passphrase, kind="session", institution="banque-demo")
    assert calls == 1, "the derived key must be cached per passphrase"
    assert time.perf_counter() - started < 2.0
    assert first.split(".")[1] == second.split(".")[1]  # sealed with the salt already paid for


def test_job_values_sealed_before_v2_still_open() -> None:
    assert Sealer(FLEET_PASSPHRASE).open(LEGACY_JOB_PASSPHRASE) == SPEC
    assert Sealer(FERNET_KEY).open(LEGACY_JOB_FERNET) == SPEC
    with pytest.raises(SealError, match="ENGINE_WORKER_KEY"):
        Sealer("another key").open(LEGACY_JOB_PASSPHRASE)


def test_new_job_values_use_hkdf_sub_keys() -> None:
    sealer = Sealer(FLEET_PASSPHRASE)
    token = sealer.seal(SPEC)
    assert token.startswith("v2.") and "123456" not in token
    assert Sealer(FLEET_PASSPHRASE).open(token) == SPEC  # every process derives the same keys
    with pytest.raises(SealError):
        Sealer("another key").open(token)
    # One key per purpose: the payload key opens nothing sealed with the engine-state key.
    engine_blob = seal(_session(), sealer.state_key)
    with pytest.raises(SealError):
        sealer.open("v2." + engine_blob)
    assert sealer.state_key != Sealer(FERNET_KEY).state_key
    Fernet(sealer.state_key)  # a real Fernet key: the engine uses it without scrypt
    assert "fleet" not in repr(sealer)


def test_customer_pseudonyms_are_keyed() -> None:
    sealer = Sealer(FERNET_KEY)
    alice = sealer.customer_id("banque-demo", "credentials", "username=alice")
    assert alice == Sealer(FERNET_KEY).customer_id("banque-demo", "credentials", "username=alice")
    assert "alice" not in alice
    assert alice != Sealer("other").customer_id("banque-demo", "credentials", "username=alice")
    assert alice != sealer.customer_id("banque-demo", "credentials", "username=bob")


def test_engine_states_from_before_are_resealed_for_the_new_state_key() -> None:
    sealer = Sealer(FLEET_PASSPHRASE)
    upgraded = sealer.upgrade_state(LEGACY_WORKER_STATE, kind="session",
                                    institution="banque-demo")
    assert upgraded != LEGACY_WORKER_STATE
    opened = unseal(upgraded, sealer.state_key, kind="session", institution="banque-demo")
    assert [c.value for c in opened.cookies] == ["legacy-cookie-value"]
    assert sealer.upgrade_state(upgraded, kind="session", institution="banque-demo") == upgraded
    damaged = "gAAAAAnot-a-token"
    assert sealer.upgrade_state(damaged, kind="session", institution="banque-demo") == damaged
