"""Libya control map: who held what on any date of the 2014–2020 war, two dates compared, data to take away."""

from collections.abc import Callable
from datetime import UTC, date, datetime

import streamlit as st
from pyogrio.errors import DataSourceError

from layers import Store, state_at
from layers.change import compare
from layers.changelog import as_text, changelog
from layers.date_map import MapReport, held_together
from layers.detail import Box, detail_for, level_for
from layers.export import Export, changes_export, file_name, history_export, state_export
from layers.formats import FORMATS, Format
from layers.geometry import total_km2
from layers.mapping import (
    COMPARE_ZOOM,
    base_map,
    change_layers,
    control_data,
    control_layers,
    dual_map,
    outline_shape,
    shown_only,
)
from layers.markup import link, markdown_literal
from layers.place_history import history_bars, history_chart, place_history, span_html
from layers.prepared import LEVEL, Day, Prepared
from layers.record import record_period
from layers.summary import control_summary, summary_html, war_chart, war_in_numbers
from layers.urlstate import VIEWS, Place, ViewState, read_query, to_query
from map_widget import DateMap, show

st.set_page_config(page_title="Libya control map, 2014–2020", page_icon="🗺️", layout="wide")


# ---------------------------------------------------------------- data, loaded once and shared


@st.cache_resource
def store() -> Store:
    return Store(skip_unreadable=True)  # one broken layer file must not take the page down


@st.cache_resource
def period():
    return record_period(store())  # the description is read once, not on every rerun


@st.cache_resource
def outline() -> dict:
    return outline_shape(store().outline)


@st.cache_resource
def places():
    """Named places by id (the frame is shared: never mutate it)."""
    return store().places.set_index("id")


def marks() -> list[list]:
    """The places every map marks, worked out once with the prepared dates."""
    return prepared().marks


@st.cache_resource
def libya_km2() -> float:
    return total_km2([store().outline])


@st.cache_resource
def prepared() -> Prepared:
    return Prepared(store())


@st.cache_resource
def date_map() -> DateMap:
    """The map of a date (map_widget.py), its page made once per server."""
    return DateMap(base_map(outline(), marks(), REGISTRY))


def change_of(day: date) -> date:
    """The change date whose state `day` shows: what everything drawn for a date is cached under."""
    return store().index.last_change(day) or day


@st.cache_resource(max_entries=256)
def shown_on(change: date) -> Day:
    """What a change date shows at the country view, worked out once for every reader and kept on disk
    (layers/prepared.py); shared and never mutated."""
    return prepared().on(change)


@st.cache_resource(max_entries=64)
def comparison_between(before: date, after: date):
    """The two dates compared once, for the change map, the table and the download (shared; never mutated)."""
    return compare(store(), before, after)


@st.cache_resource(max_entries=256)
def drawn_all(change: date, level: int, window: Box | None = None) -> dict:
    """Every faction's areas and town dots on a change date, at the detail and window of the view; the country
    view comes prepared. Shared, not copied per rerun as `st.cache_data` would: never mutated."""
    if level == LEVEL and window is None:
        return shown_on(change).drawn
    return control_data(state_at(store(), change, FACTIONS), REGISTRY, level, window, marks())


@st.cache_resource(max_entries=1024)
def drawn_on(change: date, factions: tuple[str, ...], level: int, window: Box | None = None) -> dict:
    """What the map draws for the factions shown: cut from every faction's drawing, so a town a hidden
    faction shares stays contested at every zoom (`shown_only`)."""
    return shown_only(drawn_all(change, level, window), factions)


@st.cache_resource(max_entries=256)
def held_on(days: tuple[date, ...], factions: tuple[str, ...], level: int, window: Box | None = None) -> dict:
    """The dates the map of a date is sent, held together (layers/date_map.py; shared, never mutated)."""
    return held_together({day.isoformat(): drawn_on(day, factions, level, window) for day in days})


@st.cache_data(max_entries=512)
def summary_on(change: date, factions: tuple[str, ...]) -> str:
    """The km² table beside the map: depends only on the change date and the factions shown."""
    ground = shown_on(change).ground
    refs = [ref for ref in store().index.at(change) if ref.faction in factions]
    return summary_html(control_summary(refs, libya_km2(), lambda ref: tuple(ground[ref.faction])), REGISTRY)


@st.cache_data(max_entries=256)
def changes_html(change: date) -> list[str]:
    """The areas that changed hands on a change date, each a line of HTML for Markdown (data as literal text)."""
    return [
        f"<b>{markdown_literal(area)}</b>: {markdown_literal(before)} → {markdown_literal(after)}"
        + (f"<br><small>{' · '.join(link(source) for source in sources)}</small>" if sources else "")
        for area, before, after, sources in shown_on(change).changes
    ]


@st.cache_resource
def war_series():
    """km² per faction on every change date: every version measured once per server (shared; never mutated)."""
    return war_in_numbers(store(), libya_km2())


@st.cache_data(max_entries=512)
def history_at(lat: float, lon: float):
    return place_history(store(), lon, lat)


try:
    REGISTRY = store().registry
    FACTIONS = list(REGISTRY)
    DATES = store().index.dates
    PERIOD = period()
    PLACES = places()
    PLACE_NAMES = PLACES["name"].to_dict()
    EXTENT: Box = tuple(store().outline.bounds)
    RECORD = {"first": DATES[0].isoformat(), "last": DATES[-1].isoformat(), "dates": [d.isoformat() for d in DATES]}
except (ValueError, OSError, KeyError, DataSourceError) as err:
    st.error(
        markdown_literal(f"The data in {store().root.name}/ cannot be read: {store().in_words(err)}"), icon=":material/error:"
    )
    st.stop()
if not DATES:
    st.error(markdown_literal(f"{store().root.name}/layers holds no layer versions: there is nothing to map."))
    st.stop()


# ---------------------------------------------------------------- the view: from the link once, then the widgets


def remember_link() -> None:
    """The view a link asks for, read once per session; later the widgets hold it."""
    if "view" not in st.session_state:
        wanted, problems = read_query(st.query_params.to_dict(), DATES, FACTIONS, set(PLACES.index))
        st.session_state.update(
            view=wanted.view,
            day=wanted.day,
            before=wanted.before,
            after=wanted.after,
            factions=list(wanted.factions),
            place=wanted.place,
            url_problems=problems,
            url_view=wanted,
            map_detail=(LEVEL, None),
            seen_report=None,
            place_pick=wanted.place.id if wanted.place else None,
        )
    apply_pending()


def apply_pending() -> None:
    """A date or view asked for by the war-in-numbers chart, applied before the widgets that hold them exist."""
    if "next_day" in st.session_state:
        st.session_state.day = st.session_state.pop("next_day")
    if "next_view" in st.session_state:
        st.session_state.view = st.session_state.pop("next_view")


def sync_link() -> None:
    """The address bar follows the view, so a link reopens it."""
    st.query_params.from_dict(to_query(current_view(), FACTIONS))


def current_view() -> ViewState:
    """The view as the widgets hold it now, the compare dates in order."""
    before, after = sorted((st.session_state.before, st.session_state.after))
    return ViewState(
        st.session_state.view, st.session_state.day, before, after, tuple(st.session_state.factions), st.session_state.place
    )


def follow_the_map() -> None:
    """What the map of a date reported since the last run: the day the reader moved to, the view
    (for finer detail), and a click, which picks the point for the place history."""
    report = MapReport.read(st.session_state.get("control-map"))
    if report is None or report.id == st.session_state.seen_report:
        return
    st.session_state.update(
        seen_report=report.id,
        day=min(max(report.day, DATES[0]), DATES[-1]),
        map_detail=detail_for(report.zoom, report.bounds, EXTENT, st.session_state.map_detail),
    )
    if report.click:
        st.session_state.place = Place.clicked(*report.click)
        st.rerun(scope="app")  # the place history is outside the date's fragment


def pick_place() -> None:
    picked = st.session_state.place_pick
    st.session_state.place = Place(id=picked) if picked else None


# ---------------------------------------------------------------- the views


def sidebar() -> None:
    with st.sidebar:
        st.markdown(
            "### Libya control map\nTerritorial control in Libya's 2014–2020 war, by faction, "
            "from dated layers where every area cites its sources. "
            f"The record runs from {PERIOD.first:%-d %B %Y} to {PERIOD.last:%-d %B %Y}."
        )
        labels = {"map": "Map on a date", "compare": "Compare two dates", "numbers": "The war in numbers"}
        st.segmented_control("View", VIEWS, required=True, key="view", format_func=labels.get)
        st.pills(
            "Factions shown",
            FACTIONS,
            selection_mode="multi",
            key="factions",
            format_func=lambda f: markdown_literal(REGISTRY[f].short_name),
        )


def link_problems() -> None:
    """What a link asked for and could not get, shown until the reader changes the view."""
    if st.session_state.url_view == current_view():
        for problem in st.session_state.url_problems:
            st.warning(markdown_literal(f"Link problem: {problem}"))
    else:
        st.session_state.url_view = None


def control_map(day: date, shown: tuple[str, ...]) -> None:
    """The map of a date, at the detail of the view it last reported. At the country view it also gets
    the neighbouring change dates, so its date bar draws a step at once (layers/date_map.py)."""
    level, window = st.session_state.map_detail
    change = change_of(day)
    around = (change,)
    if level == LEVEL and not window:  # prepared: the neighbours cost next to nothing
        around = (store().index.step(change, -1), change, store().index.step(change, 1))
    place = st.session_state.place
    date_map()(
        record=RECORD,
        day=day.isoformat(),
        held=held_on(tuple(d for d in around if d), shown, level, window),
        detail=repr((level, window, shown)),
        view={"level": level, "window": window},
        seen=st.session_state.seen_report,
        place=list(place.resolve(PLACES)) if place and place.id else None,  # a clicked point needs no marker
        height=660,  # the date bar, then the map at 620 px
        key="control-map",
        default=None,
    )


def place_history_panel() -> None:
    st.subheader("Place history")
    st.selectbox(
        "Pick a named place, or click the map",
        [None, *PLACES.sort_values("name").index],
        key="place_pick",
        format_func=lambda p: PLACE_NAMES.get(p, "—"),
        on_change=pick_place,
        placeholder="Choose a place",
    )
    if st.session_state.place:
        lat, lon, label = st.session_state.place.resolve(PLACES)
        spans = history_at(lat, lon)
        st.markdown(f"**{markdown_literal(label)}**: who held it from {DATES[0]:%-d %B %Y} on", unsafe_allow_html=True)
        bars = history_bars(spans, REGISTRY, DATES[-1])
        if bars.empty:
            st.info("No faction is recorded holding this point at any date in the data.")
        else:
            st.altair_chart(history_chart(bars, REGISTRY), width="stretch")
        for span in reversed(spans):
            st.markdown(span_html(span, REGISTRY), unsafe_allow_html=True)


def changed_on(day: date) -> None:
    """What changed hands on the date, or on the last change date before it."""
    changed = change_of(day)
    lines = changes_html(changed)
    since = "" if changed == day else f" (the last change before {day:%-d %B %Y})"
    with st.expander(f"What changed on {changed:%-d %B %Y}{since}: {len(lines)} area(s)", expanded=len(lines) <= 8):
        for line in lines or ["No area changed holder: only sources, notes or zones changed."]:
            st.markdown(line, unsafe_allow_html=True)


def map_view() -> None:
    on_date()
    place_history_panel()


@st.fragment
def on_date() -> None:
    """Everything that follows the date, rerun alone when the date changes (Streamlit's fragment), so a
    change costs the server only what depends on it: the map's layers, the km², what changed, the downloads."""
    apply_pending()
    follow_the_map()
    link_problems()
    st.title(f"Who controlled Libya on {st.session_state.day:%-d %B %Y}")
    day, shown = st.session_state.day, tuple(st.session_state.factions)
    map_column, summary_column = st.columns([3, 1])
    with map_column:
        control_map(day, shown)
    with summary_column:
        st.markdown(summary_on(change_of(day), shown), unsafe_allow_html=True)
        st.caption(
            "Areas measured in an equal-area projection. Contested ground is counted apart and drawn dashed. "
            "Zones (light tint) are the land between areas, given by rule to the nearest area's holder. "
            "Land nobody is known to hold is left blank. Click an area or zone for its sources."
        )
        st.caption("Download the date shown, in the format chosen in the sidebar:")
        date_downloads((day,), shown)
    changed_on(day)
    if not st.session_state.page_running:  # a run of the fragment alone (a run of the page syncs the link at its end)
        sync_link()
        if len(store().unreadable) > st.session_state.unreadable_named:
            st.rerun(scope="app")  # a layer file this run could not read is named above the views


def what_changed(before: date, after: date) -> None:
    """Ground gained and lost between the dates, on a map and in a table."""
    st.subheader("What changed")
    comparison = comparison_between(before, after)
    shown = st.session_state.factions
    map_column, table_column = st.columns([3, 2])
    with map_column:
        change_frame = comparison.shapes[comparison.shapes["faction"].isin(shown)]
        show(base_map(outline(), marks(), REGISTRY), "change-map", 460, change_layers(change_frame, REGISTRY))
        st.caption(
            "Filled: ground a faction gained. Dashed: ground it lost. Held ground only. "
            "First recorded: ground whose record starts with the earliest source found, not a change of holder."
        )
    with table_column:
        table = (
            comparison.table[comparison.table["faction"].isin(shown)]
            .round(0)
            .assign(faction=lambda t: t["faction"].map(lambda f: REGISTRY[f].short_name))
        )
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            column_config={
                "faction": "Faction",
                "km2_before": km2_column("km² before"),
                "km2_after": km2_column("km² after"),
                "gained_km2": km2_column("gained"),
                "lost_km2": km2_column("lost"),
                "first_recorded_km2": km2_column("first recorded"),
                "contested_km2_before": km2_column("contested, before", width="small"),
                "contested_km2_after": km2_column("contested, after", width="small"),
            },
        )


def compare_view() -> None:
    before, after = current_view().before, current_view().after
    link_problems()
    st.title(f"Libya on {before:%-d %B %Y} and {after:%-d %B %Y}")
    before_column, after_column = st.columns(2)
    before_column.date_input("Before", min_value=PERIOD.first, max_value=PERIOD.last, key="before", format="DD/MM/YYYY")
    after_column.date_input("After", min_value=PERIOD.first, max_value=PERIOD.last, key="after", format="DD/MM/YYYY")
    if st.session_state.before > st.session_state.after:
        st.info(f"Before is later than after: showing what changed from {before:%-d %B %Y} to {after:%-d %B %Y}.")
    shown, level = tuple(st.session_state.factions), level_for(COMPARE_ZOOM)
    sides = tuple(control_layers(drawn_on(change_of(side), shown, level)) for side in (before, after))
    show(dual_map(outline(), marks(), REGISTRY, *sides), "compare-maps", 520)
    what_changed(before, after)


def km2_column(label: str, **options):
    """A column of km², with the reader's thousands separators."""
    return st.column_config.NumberColumn(label, format="localized", **options)


def download(label: str, name: str, data, mime: str, **options) -> None:
    """A download built only when clicked, without rerunning the app."""
    st.download_button(label, data=data, file_name=name, mime=mime, on_click="ignore", **options)


def numbers_view() -> None:
    """km² and share of Libya per faction over the whole record; a click on the chart opens the map of that date."""
    link_problems()
    st.title("The war in numbers")
    day, series = st.session_state.day, war_series()
    shown = series[series["faction"].isin(st.session_state.factions)]
    event = st.altair_chart(war_chart(shown, REGISTRY, day), on_select="rerun", key="war-chart", width="stretch")
    picked = [point.get("date") for point in event.selection.get("picked", [])]
    if picked and picked != st.session_state.get("seen_pick"):
        st.session_state.seen_pick = picked
        moment = picked[0]
        chosen = date.fromisoformat(moment[:10]) if isinstance(moment, str) else datetime.fromtimestamp(moment / 1000, UTC).date()
        st.session_state.update(next_day=min(max(chosen, DATES[0]), DATES[-1]), next_view="map")
        st.rerun()
    st.caption(
        "Share of Libya each faction held, its areas and zones together, at every change date. The white above "
        "the bands is contested ground (counted apart, with each side) and land nobody is known to hold. "
        f"The dashed line is {day:%-d %B %Y}; click a date to open its map."
    )
    st.subheader(f"On {day:%-d %B %Y}")
    on_day = shown[shown["date"] == store().index.last_change(day)]
    st.dataframe(
        on_day.drop(columns="date")
        .round({"held_km2": 0, "zone_km2": 0, "contested_km2": 0})
        .assign(faction=lambda t: t["faction"].map(lambda f: REGISTRY[f].short_name)),
        hide_index=True,
        column_config={
            "faction": "Faction",
            "held_km2": km2_column("km² held"),
            "zone_km2": km2_column("km² zone"),
            "share": st.column_config.NumberColumn("of Libya", format="percent"),
            "contested_km2": km2_column("km² contested"),
        },
    )
    download(
        "The war in numbers (CSV)",
        f"libya-control_stats_{DATES[0]}_to_{DATES[-1]}.csv",
        lambda: series.to_csv(index=False),
        mime="text/csv",
    )
    download(
        "What changed hands, every date (CSV)",
        f"libya-control_changelog_{DATES[0]}_to_{DATES[-1]}.csv",
        lambda: as_text(changelog(store()), safe=True).to_csv(index=False),
        mime="text/csv",
        help="Each area that changed holders, from whom to whom, with its sources. Text a spreadsheet "
        "would run as a formula starts with ' (the command line's `changes --csv` keeps it exact).",
    )


def offer(kind: Format, label: str, name: str, build: Callable[[], Export], **options) -> None:
    download(label, name + kind.extension, lambda: kind.write(build()), mime=kind.media_type, **options)


def download_choices() -> None:
    """The format and the one faction every download button uses (`chosen_format`, `download_faction`)."""
    with st.sidebar:
        st.markdown("#### Download")
        st.selectbox(
            "Format",
            FORMATS,
            format_func=lambda f: FORMATS[f].label,
            key="download_format",
            help="GeoJSON (RFC 7946) for the web and pandas; GeoPackage for QGIS (typed dates, styled by "
            "faction and tier); KML for Google Earth (with its time slider); CSV for spreadsheets (no shapes). "
            "Each file carries its licence; README lists every field.",
        )
        st.selectbox("One faction", FACTIONS, format_func=lambda f: REGISTRY[f].short_name, key="download_faction")


def chosen_format() -> Format:
    return FORMATS[st.session_state.download_format]


def date_downloads(days: tuple[date, ...], shown: tuple[str, ...]) -> None:
    """One faction and all those shown, on each of the days, built when clicked.

    The callables run outside the script, so they take what they need now, not from session state later.
    """
    kind, one = chosen_format(), st.session_state.download_faction
    for day in days:
        offer(
            kind,
            f"{markdown_literal(REGISTRY[one].short_name)} on {day:%-d %b %Y}",
            file_name(one, day),
            lambda day=day: state_export(store(), day, [one]),
        )
        offer(
            kind,
            f"All shown factions on {day:%-d %b %Y}",
            file_name("all", day),
            lambda day=day: state_export(store(), day, shown),
        )


def downloads(view: ViewState) -> None:
    """The dates in view (the map's are beside it), what changed and the whole history, built when clicked."""
    kind = chosen_format()
    with st.sidebar:
        if view.view == "compare":
            date_downloads(tuple(dict.fromkeys((view.before, view.after))), view.factions)
        elif view.view != "map":
            date_downloads((view.day,), view.factions)
        offer(
            kind,
            f"Changes {view.before:%-d %b %Y} → {view.after:%-d %b %Y}",
            file_name("changes", view.before, view.after),
            lambda: changes_export(comparison_between(view.before, view.after), REGISTRY, view.factions),
        )
        offer(
            kind,
            "Full history (valid_from, valid_to)",
            file_name("history", PERIOD.first, PERIOD.last),
            lambda: history_export(store()),
            help="Every version of every area, the largest file (tens of MB): it takes several seconds to build.",
        )
        st.caption(
            "Outline: Natural Earth (public domain). Places: GeoNames (CC BY 4.0). Control layers: CC BY 4.0, "
            "each area citing its sources."
        )
        st.caption(
            "To embed the map in an article or publish it on any static host: `python -m layers site --out site/` "
            "writes a self-contained copy (see README, The static site)."
        )


def unreadable_layers(notes) -> None:
    """Layer files this run could not read, named in `notes` (a container above the views)."""
    for ref, problem in store().unreadable.items():
        left_out = (
            f"{problem}. {REGISTRY[ref.faction].short_name}'s areas of that version (from {ref.day:%-d %B %Y}) are left out"
        )
        notes.error(
            f"{markdown_literal(left_out)}; `python -m layers validate` lists every problem in the data.", icon=":material/error:"
        )


def main() -> None:
    st.session_state.page_running = True  # the fragment also runs alone; it asks this to know which
    remember_link()
    sidebar()
    download_choices()
    notes = st.container()  # filled at the end, once this run has read the layers it shows
    {"map": map_view, "compare": compare_view, "numbers": numbers_view}[st.session_state.view]()
    downloads(current_view())
    unreadable_layers(notes)
    sync_link()
    st.session_state.update(page_running=False, unreadable_named=len(store().unreadable))


main()
