"""vcrpy cassettes: record the demo API scrubbed, replay it with the API stopped and no socket
opened, refuse what was not recorded, and never let a secret or token reach disk or output."""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine import Engine
from engine.harness.cassette import (
    CASSETTE_NAME,
    SECRET_PLACEHOLDER,
    api_cassette,
    placeholder_credentials,
)
from engine.models import SyncResult
from engine.privacy.masking import fill
from engine.recipe import parse_recipe
from sites.psd2_demo.data import PSU_NAME, build_bank
from tests.api.conftest import RECIPE, RECIPE_PATH, Psd2Site, credentials, expected_transactions

VOLATILE = {"started_at", "finished_at", "timings_ms"}


@contextlib.contextmanager
def no_network() -> Iterator[list[Any]]:
    """Inside the block any attempt to open a socket connection is recorded and fails."""
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any) -> None:
        attempts.append(address)
        raise ConnectionRefusedError(f"no network here ({address})")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket.socket, "connect_ex", refuse)
        yield attempts


def comparable(result: SyncResult) -> dict[str, Any]:
    """The result as a replay must reproduce it: counterparty names inside labels are masked
    in the cassette (``engine.privacy``), so labels are compared by shape."""
    data = result.model_dump(mode="json", exclude=VOLATILE)
    for tx in data["transactions"]:
        tx["label"], tx["raw_label"] = fill(tx["label"] or ""), fill(tx["raw_label"] or "")
    for failure in [data.get("error"), *(f["error"] for f in data["account_failures"])]:
        if failure and failure.get("url"):  # the replay runs under another base_url
            failure["url"] = failure["url"].split("/", 3)[-1]
    return data


async def record(site_url: str, folder: Path, creds: dict[str, str]) -> SyncResult:
    async with Engine(max_concurrency=1) as engine:
        with api_cassette(folder, mode="record", secrets=creds.values()) as report:
            result = await engine.sync(RECIPE, creds, base_url=site_url)
    assert report.recorded > 0 and report.mode == "record"
    assert (folder / CASSETTE_NAME).exists()
    return result


@pytest.mark.parametrize("psu_id", ["psu-demo", "psu-expired-token", "psu-expired-consent",
                                    "psu-schema-change"])
async def test_record_then_replay_offline(psd2_site: Psd2Site, tmp_path: Path,
                                          psu_id: str) -> None:
    site = psd2_site()
    creds = credentials(psu_id)
    live = await record(site.url, tmp_path, creds)
    url = site.url
    site.stop()

    async with Engine(max_concurrency=1) as engine:
        with no_network() as attempts:
            with api_cassette(tmp_path, mode="replay") as report:
                replayed = await engine.sync(RECIPE, placeholder_credentials(creds),
                                             base_url=url)
            assert attempts == [], "replay opened a connection"
            # the guard is real: without a cassette the same sync tries, and fails
            unguarded = await engine.sync(RECIPE, creds, base_url=url)
            assert attempts and unguarded.error is not None
            assert unguarded.error.code == "unavailable.network"
    assert report.unmatched == [] and report.unused == 0 and report.played > 0
    assert comparable(replayed) == comparable(live)
    if psu_id in ("psu-demo", "psu-expired-token"):
        shaped = SyncResult(institution="x", started_at=live.started_at,
                            transactions=list(expected_transactions().values()))
        assert {t["id"]: t for t in comparable(replayed)["transactions"]} == {
            t["id"]: t for t in comparable(shaped)["transactions"]}


async def test_replay_under_another_base_url_and_other_stand_ins(psd2_site: Psd2Site,
                                                                 tmp_path: Path) -> None:
    site = psd2_site()
    live = await record(site.url, tmp_path, credentials())
    site.stop()
    stand_ins = {"client_id": "CLIENT-X", "client_secret": "SECRET-X", "psu_id": "PSU-X"}
    async with Engine(max_concurrency=1) as engine:
        with api_cassette(tmp_path, mode="replay", secrets=stand_ins.values()) as report:
            replayed = await engine.sync(RECIPE, stand_ins, base_url="http://127.0.0.1:9")
    assert report.unmatched == []
    assert comparable(replayed) == comparable(live)


async def test_unrecorded_request_is_refused_and_reported(psd2_site: Psd2Site,
                                                          tmp_path: Path) -> None:
    site = psd2_site()
    await record(site.url, tmp_path, credentials())
    url = site.url
    site.stop()
    changed = parse_recipe(RECIPE_PATH.read_text(encoding="utf-8").replace(
        "?bookingStatus=both", "?bookingStatus=booked"), str(RECIPE_PATH))
    async with Engine(max_concurrency=1) as engine:
        with api_cassette(tmp_path, mode="replay") as report:
            result = await engine.sync(changed, placeholder_credentials(credentials()),
                                       base_url=url)
    accounts = [a.resource_id for a in build_bank().accounts]
    assert report.unmatched == [f"GET /v1/accounts/{a}/transactions?bookingStatus=booked"
                                for a in accounts]
    recorded = yaml.safe_load((tmp_path / CASSETTE_NAME).read_text(encoding="utf-8"))
    pages = [i for i in recorded["interactions"] if "/transactions" in i["request"]["uri"]]
    assert report.unused == len(pages) > 3  # every transactions page, none played
    assert [f.error.code for f in result.account_failures] == [
        "recipe_broken.request_refused"] * 3
    assert len(result.accounts) == 3


async def test_no_secret_reaches_the_cassette_the_result_or_the_logs(
        psd2_site: Psd2Site, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    outputs: list[str] = []
    for psu_id in ("psu-demo", "psu-expired-token", "psu-expired-consent", "psu-bad-client"):
        site = psd2_site()
        creds = credentials(psu_id)
        folder = tmp_path / psu_id
        result = await record(site.url, folder, creds)
        outputs.append(result.model_dump_json())
        outputs.extend(f.error.message for f in result.account_failures)
        if result.error is not None:
            outputs.extend([result.error.message, str(result.error.details)])
        cassette = (folder / CASSETTE_NAME).read_text(encoding="utf-8")
        secrets = {*creds.values(), *site.spy.values}
        assert site.spy.values, "the spy saw no token: the test would prove nothing"
        ibans = {a.iban for a in build_bank().accounts}
        for value in secrets | ibans | {PSU_NAME}:
            assert value not in cassette, f"{value[:6]}… is in the cassette of {psu_id}"
        assert "Authorization" not in cassette and "authorization:" not in cassette.lower()
        assert SECRET_PLACEHOLDER in cassette
        text = "\n".join(outputs) + caplog.text
        for value in secrets:
            assert value not in text, f"{value[:6]}… leaked into a result, error or log"


def test_replay_without_a_cassette_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError), api_cassette(tmp_path, mode="replay"):
        pass
