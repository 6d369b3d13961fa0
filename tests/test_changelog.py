"""What changed hands on each change date, from whom to whom, with its sources."""

import io
from datetime import date

import pandas as pd
import pytest
from conftest import area, write_layer

from layers.changelog import as_text, changelog, changes_on
from layers.cli import main
from layers.store import Store


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


def test_for_spreadsheets_text_that_would_run_as_a_formula_starts_with_a_quote(empty_root):
    write_layer(empty_root, "tobruk", "2015-02-17", [area(18.0, 27.0, '=HYPERLINK("https://evil.example")')])
    changes = changes_on(Store(empty_root), date(2015, 2, 17))
    assert as_text(changes, safe=True)["area"].iat[0] == '\'=HYPERLINK("https://evil.example")'
    assert as_text(changes)["area"].iat[0] == '=HYPERLINK("https://evil.example")'  # exact for pandas and R
