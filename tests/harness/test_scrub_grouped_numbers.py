"""``mask: true`` numbers in recordings: one mask for every form the site writes them in.

An account number printed in groups ("2047&nbsp;8815") is also the id the recipe derives from
it and the ``ACCTID`` of the downloads ("20478815"): all must mask alike, or the replay of the
scrubbed pages would give other ids than the expected result. The recipe's own mask wins over
a detector's guess (a grouped eight-digit number passes for a Luxembourg phone, whose mask
keeps nothing), and a number the site already masked is left as the site shows it.
"""

from __future__ import annotations

from engine.harness.check import block_for_stage
from engine.harness.fixture import masked_values
from engine.harness.scrub import plan_scrub
from engine.models import SyncResult
from engine.recipe import load_recipe
from tests.conftest import RECIPES

RECIPE = load_recipe(RECIPES / "harbour-cu.yaml")
ACCOUNTS = """<table data-testid="deposit-accounts"><thead><tr><th>Account</th><th>BSB</th>
<th>Account number</th><th>Current balance</th><th>Available balance</th></tr></thead>
<tr data-testid="account-row"><td><a data-testid="account-link" href="/accounts/k1">Everyday
Access</a></td><td>633-000</td><td>2047&nbsp;8815</td><td>$5,430.13</td><td>$5,236.88</td></tr>
<tr data-testid="account-row"><td><a data-testid="account-link" href="/accounts/k2">Bonus
Saver</a></td><td>633-000</td><td>2047&nbsp;8823</td><td>$17,151.97</td><td>$17,151.97</td></tr>
</table>"""
CARDS = """<section data-testid="credit-card"><h2><a data-testid="card-link" href="/cards/c1">
Visa Platinum</a></h2><p data-testid="card-number">4564&nbsp;71••&nbsp;••••&nbsp;4821</p>
<dd data-testid="card-balance">$880.59 DR</dd><dd data-testid="card-limit">$8,000</dd>
</section>"""


def result() -> SyncResult:
    return SyncResult.model_validate({"institution": "harbour-cu",
                                      "started_at": "2026-11-20T10:00:00+00:00"})


def test_the_masked_fields_of_listed_account_blocks_are_found() -> None:
    assert block_for_stage(RECIPE, "accounts[0]") is RECIPE.account_blocks[0]
    assert masked_values(RECIPE, "accounts[0]", ACCOUNTS, None, result(), None) == [
        "2047 8815", "2047 8823"]


def test_a_grouped_number_masks_alike_in_every_form() -> None:
    masked = masked_values(RECIPE, "accounts[0]", ACCOUNTS, None, result(), None)
    scrub = plan_scrub(RECIPE, {}, [], [ACCOUNTS], masked)
    page = scrub.text(ACCOUNTS)
    assert "0000&nbsp;8815" in page and "0000&nbsp;8823" in page and "2047" not in page
    download = "<ACCTID>20478815</ACCTID><Othr><Id>20478823</Id></Othr>"
    assert scrub.text(download) == "<ACCTID>00008815</ACCTID><Othr><Id>00008823</Id></Othr>"
    assert scrub.obj({"id": "20478815", "number_masked": "•••• 8815"}) == {
        "id": "00008815", "number_masked": "•••• 8815"}


def test_a_number_the_site_masked_is_left_as_shown() -> None:
    masked = masked_values(RECIPE, "accounts[1]", CARDS, None, result(), None)
    assert masked == ["4564 71•• •••• 4821"]
    scrub = plan_scrub(RECIPE, {}, [], [CARDS], masked)
    assert "4564&nbsp;71••&nbsp;••••&nbsp;4821" in scrub.text(CARDS)
