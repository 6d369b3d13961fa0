"""What changed hands on each change date, from whom to whom, with its sources."""

import io
from datetime import date

import pandas as pd
import pytest

from layers.changelog import changelog, changes_on
from layers.cli import main


@pytest.fixture(scope="module")
def log(shipped):
    return changelog(shipped)


def test_the_lna_takes_sirte_from_the_gna_on_6_january_2020(shipped):
    sirte = changes_on(shipped, date(2020, 1, 6)).set_index("area").loc["Sirte"]
    assert (sirte.before, sirte.after) == ("GNA (held)", "HoR / LNA (held)") and sirte.sources


def test_the_islamic_state_loses_sirte_on_6_december_2016(log):
    sirte = log[(log["area"] == "Sirte") & (log["date"] == date(2016, 12, 6))].iloc[0]
    assert "IS (contested)" in sirte.before and sirte.after == "GNA (held)"


def test_every_row_is_a_change_of_holders_on_a_change_date(log, shipped):
    assert (log["before"] != log["after"]).all() and set(log["date"]) <= set(shipped.index.dates)


def test_changes_on_a_day_between_change_dates_are_those_of_the_last_change_date(shipped):
    out, err = io.StringIO(), io.StringIO()
    assert main(["--geodata", str(shipped.root), "changes", "--date", "2020-01-07"], out=out, err=err) == 0
    assert "2020-01-06" in err.getvalue() and "2020-01-06  Sirte: GNA (held) -> HoR / LNA (held)" in out.getvalue()


def test_the_changelog_csv_carries_sources_as_text_that_pandas_reads(shipped):
    out = io.StringIO()
    assert main(["--geodata", str(shipped.root), "changes", "--csv"], out=out) == 0
    table = pd.read_csv(io.StringIO(out.getvalue()))
    assert list(table.columns) == ["date", "area", "before", "after", "sources", "note"]
    assert table["sources"].str.contains(r"<https?://").all()  # every row cites at least one source with its address
