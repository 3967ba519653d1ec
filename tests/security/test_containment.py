"""Nothing reaches the foreign host, whatever the attacker's page tries (issue 10 §1, §2).

Each case of ``sites/exfil`` is a real sync through ``Engine`` (Chromium with its
local-network checks off, see conftest), and the foreign listener must see zero TCP
connections, zero UDP datagrams, zero bytes. The result must hold no injected data, and the
refusal must be reported as what it was: the foreign URL without its query, from the
attacker's page. A page that sends the main frame away fails the sync at once with
``recipe_broken.host_refused``.
"""

from __future__ import annotations

import pytest

from sites.exfil import CASES, INJECTED_LABEL, PASSWORD, USERNAME, ForeignListener
from tests.security.conftest import RUNS, AttackRuns

pytestmark = pytest.mark.browser


def assert_untouched(runs: AttackRuns) -> None:
    assert (runs.tcp_connections, runs.udp_datagrams, runs.bytes_received) == (0, 0, 0), \
        f"the foreign host was reached: {runs.summary}"


@pytest.mark.parametrize("name", [name for name, render in RUNS if render == "auto"
                                  and name != "plain-http-list"])
def test_no_way_out_on_the_browser_path(name: str, attack_runs: AttackRuns,
                                        foreign: ForeignListener, exfil_url: str) -> None:
    assert_untouched(attack_runs)
    run, case = attack_runs.runs[(name, "auto")], CASES[name]
    result = run.result
    dump = result.model_dump_json()
    assert INJECTED_LABEL not in dump
    assert PASSWORD not in dump
    foreign_host = f"localhost:{foreign.port}"
    refused = run.session.refused
    assert all(r.host == foreign_host for r in refused), refused
    for refusal in refused:  # reported as what it was: no query (where the stolen data is)
        assert "?" not in refusal.url and USERNAME not in refusal.url, refusal
        assert refusal.initiator is None or refusal.initiator.startswith(exfil_url), refusal
    if case.navigates:
        assert result.error is not None, result
        assert result.error.code == "recipe_broken.host_refused", result.error
        assert foreign_host in (result.error.url or "") and "?" not in (result.error.url or "")
        # at once: a step waiting for the next page would have run into its timeout (10 s)
        steps = {k: v for k, v in result.timings_ms.items() if k.startswith("login[")}
        assert max(steps.values()) < 10_000, steps
        assert any(r.initiator and r.initiator.startswith(f"{exfil_url}/connexion")
                   for r in refused), refused
    else:
        assert result.error is None, result.error
        assert [t.label for t in result.transactions] == ["CARTE BOULANGERIE",
                                                          "VIREMENT SALAIRE"]
    if name == "none":
        assert refused == [] and result.warnings == []
        assert run.session.guard is not None and run.session.guard.relayed > 0, \
            "loopback traffic must go through the guard, not around it"
    elif case.reaches_proxy:
        assert refused, "the attempt must be reported"
        assert any(foreign_host in w for w in result.warnings), result.warnings


@pytest.mark.parametrize("render", ["http", "auto"])
def test_a_list_page_redirected_to_the_foreign_host_is_never_read(
        render: str, attack_runs: AttackRuns, foreign: ForeignListener,
        exfil_url: str) -> None:
    """The statement, fetched over plain HTTP (``context.request``), redirects to the foreign
    host, whose page carries an injected transaction. The hop is refused before it is sent."""
    assert_untouched(attack_runs)
    run = attack_runs.runs[("plain-http-list", render)]
    result = run.result
    assert INJECTED_LABEL not in result.model_dump_json()
    foreign_host = f"localhost:{foreign.port}"
    statement = f"{exfil_url}/operations/FR76-0001"
    assert [(r.url, r.initiator, r.channel) for r in run.session.refused] == [
        (f"http://{foreign_host}/operations", statement, "redirect")]
    assert any(foreign_host in w for w in result.warnings), result.warnings
    if render == "http":  # the account's statement could not be read: said so, per account
        assert result.transactions == []
        assert [(f.account_id, f.error.code) for f in result.account_failures] == [
            ("FR76-0001", "recipe_broken.host_refused")]
    else:  # the rendered page was fine; the plain-HTTP probe was refused, so it stays rendered
        assert len(result.transactions) == 2 and result.account_failures == []
