"""``engine check`` on the Banka Sever recording (no browser): every snapshot extracts as at
recording, including the "Sledeća" postback control, printed as the recipe writes it."""

from __future__ import annotations

from tests.test_cli import cli


def test_the_recording_checks_clean_and_shows_the_next_control_as_written() -> None:
    run = cli("check", "recipes/banka-sever.yaml")
    assert run.returncode == 0, run.stdout + run.stderr
    line = next(x for x in run.stdout.splitlines() if x.startswith("transactions.next_click"))
    assert "a#MainContent_lnkSledeca[href]" in line  # not eaten as console markup
    assert line.split()[-1] == "ok"
