"""Who held a point through time: the answer to "what happened here?"."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pandas as pd
import shapely

from layers.markup import link, markdown_literal
from layers.registry import Faction
from layers.store import Store
from layers.timeline import Holder, holders_in, version_frame


@dataclass(frozen=True)
class Span:
    """An interval in which the same areas held or contested the point (`end` exclusive, None while current).

    `first_recorded`: the factions that start here only because the earliest source found starts
    here (a first-evidence start), not because they took the point that day.
    """

    start: date
    end: date | None
    holders: tuple[Holder, ...]
    first_recorded: tuple[str, ...] = ()

    @property
    def factions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(h.faction for h in self.holders))


def place_history(store: Store, lon: float, lat: float) -> list[Span]:
    """Spans from the first change date on; a span with no holders means nobody is recorded there."""
    versions = store.versions()
    ends = store.index.ends
    point = shapely.Point(lon, lat)
    containing = {}
    for ref in versions:
        frame = store.frame(ref)
        if not frame.empty and frame.sindex.query(point, predicate="intersects").size:
            containing[ref] = holders_in(version_frame(store, ref, ends[ref]), lon, lat)
    spans: list[Span] = []
    for day in store.index.dates:
        holders = tuple(h for ref in store.index.at(day) for h in containing.get(ref, []))
        key = [(h.faction, h.status, h.name) for h in holders]
        if spans and [(h.faction, h.status, h.name) for h in spans[-1].holders] == key:
            continue
        before = {(h.faction, h.name) for h in spans[-1].holders} if spans else set()
        if spans:
            spans[-1] = replace(spans[-1], end=day)
        recorded = tuple(dict.fromkeys(h.faction for h in holders if h.first_evidence and (h.faction, h.name) not in before))
        spans.append(Span(day, None, holders, recorded))
    return spans


def history_bars(spans: list[Span], registry: dict[str, Faction], last_day: date) -> pd.DataFrame:
    """One row per holder and span, for a timeline chart; a current span runs to the last change date."""
    return pd.DataFrame(
        [
            {
                "faction": registry[h.faction].short_name,
                "status": h.status,
                "area": h.name,
                "from": span.start,
                "to": span.end or last_day,
            }
            for span in spans
            for h in span.holders
        ],
        columns=["faction", "status", "area", "from", "to"],
    )


def history_chart(bars: pd.DataFrame, registry: dict[str, Faction]):
    """The spans as an Altair timeline, one row per faction in its colour, contested ground paler.

    Altair is imported here rather than at the top: it adds about a second to
    the app's cold start, and only a place history draws it.
    """
    import altair as alt

    shown = [f for f in registry.values() if f.short_name in set(bars["faction"])]
    names = [f.short_name for f in shown]
    return (
        alt.Chart(bars)
        .mark_bar()
        .encode(
            x=alt.X("from:T", title=None),
            x2="to:T",
            y=alt.Y("faction:N", title=None, sort=names),
            color=alt.Color("faction:N", legend=None, scale=alt.Scale(domain=names, range=[f.colour for f in shown])),
            opacity=alt.condition("datum.status == 'held'", alt.value(1.0), alt.value(0.45)),
            tooltip=["faction", "status", "area", "from:T", "to:T"],
        )
        .properties(height=40 + 28 * len(shown))
    )


def span_html(span: Span, registry: dict[str, Faction]) -> str:
    """A span as one line of Markdown with HTML: dates, holders with status and area (as literal text), then its sources."""
    until = f"{span.end:%-d %b %Y}" if span.end else "the end of the data"
    who = (
        "; ".join(markdown_literal(f"{registry[h.faction].short_name} ({h.status}, {h.name})") for h in span.holders)
        or "no holder recorded"
    )
    sources = " · ".join(dict.fromkeys(link(s) for h in span.holders for s in h.sources))
    recorded = ", ".join(registry[f].short_name for f in span.first_recorded)
    first = f" (first evidence of {recorded}: the earliest source found, not a change of holder)" if recorded else ""
    line = f"<b>{span.start:%-d %b %Y} – {until}</b>{markdown_literal(first)}: {who}"
    return line + (f"<br><small>{sources}</small>" if sources else "")
