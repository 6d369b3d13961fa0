"""The date bar of the maps that draw a date in the browser: the static site's and the app's.

A slider at day precision, previous and next change, play and the date in words, on the map. It knows
the record's days and change dates; what a date looks like is the page's business, given as hooks:
- `draw(i)`: draw change date `i` (the page skips what it already shows, or waits for data it lacks);
- `shown(iso, i)`: after every date shown, while the slider moves too;
- `settled(iso)`: after a date the reader settled on: a step, a play step, the slider let go.
The bar goes on the map, top left, or into `holder` when one is given (the app's, above its map), and
is handed back as `{show(ms), redraw(), stop(), day()}`.
"""

PLAY_STEP_MS = 1500

DATE_BAR_JS = (
    """function (map, record, hooks, holder) {
    var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December"];
    var DAY_MS = 86400000, first = Date.parse(record.first), last = Date.parse(record.last);
    var changes = record.dates.map(Date.parse), shown = {day: first, state: -1}, playing = null;
    var slider, label, back, forward, playButton;
    function iso(ms) { return new Date(ms).toISOString().slice(0, 10); }
    function words(ms) {
        var d = new Date(ms);
        return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear();
    }
    function stateAt(ms) {  // the last change on or before the day
        var lo = 0, hi = changes.length;
        while (lo < hi) { var mid = (lo + hi) >> 1; if (changes[mid] <= ms) lo = mid + 1; else hi = mid; }
        return lo - 1;
    }
    function made() {
        var div = L.DomUtil.create("div", "date-bar");
        div.innerHTML =
            '<button type="button" data-step="-1" aria-label="Previous change" title="Previous change">&#9664;</button>' +
            '<input type="range" min="0" step="1" aria-label="Date">' +
            '<button type="button" data-step="1" aria-label="Next change" title="Next change">&#9654;</button>' +
            '<button type="button" data-play title="Walk through the changes">Play</button><b></b>';
        slider = div.querySelector("input"); label = div.querySelector("b"); playButton = div.querySelector("[data-play]");
        back = div.querySelector("[data-step='-1']"); forward = div.querySelector("[data-step='1']");
        slider.max = Math.round((last - first) / DAY_MS);
        slider.addEventListener("input", function () { stop(); show(first + slider.value * DAY_MS); });
        slider.addEventListener("change", settle);
        [back, forward].forEach(function (button) {
            button.addEventListener("click", function () { stop(); step(Number(button.dataset.step)); });
        });
        playButton.addEventListener("click", function () { playing ? stop() : play(); });
        L.DomEvent.disableClickPropagation(div); L.DomEvent.disableScrollPropagation(div);
        return div;
    }
    function show(ms) {
        var day = Math.min(Math.max(ms, first), last), i = stateAt(day);
        slider.value = Math.round((day - first) / DAY_MS);
        label.textContent = words(day);
        shown.day = day;  // previous and next count from the day shown, even within one state
        shown.state = i;
        back.disabled = day <= changes[0];
        forward.disabled = i >= changes.length - 1;
        hooks.draw(i);
        if (hooks.shown) hooks.shown(iso(day), i);
    }
    function settle() { if (hooks.settled) hooks.settled(iso(shown.day)); }
    function step(direction) {
        var i = stateAt(shown.day), target = direction < 0 ? (changes[i] < shown.day ? i : i - 1) : i + 1;
        if (target < 0 || target >= changes.length) return false;
        show(changes[target]);
        settle();
        return target < changes.length - 1;
    }
    function play() {
        if (shown.state >= changes.length - 1) { show(changes[0]); settle(); }  // from the start again
        playing = setInterval(function () { if (!step(1)) stop(); }, """
    + str(PLAY_STEP_MS)
    + """);
        playButton.textContent = "Stop";
    }
    function stop() {
        if (!playing) return;
        clearInterval(playing); playing = null;
        playButton.textContent = "Play";
    }
    if (holder) {
        holder.appendChild(made());
    } else {
        var bar = L.control({position: "topleft"});
        bar.onAdd = made;
        bar.addTo(map);
    }
    return {show: show, stop: stop, redraw: function () { hooks.draw(shown.state); },
            day: function () { return iso(shown.day); }};
}"""
)

DATE_BAR_CSS = """<style>
.date-bar{background:rgba(255,255,255,.95);padding:6px 8px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);
font:13px/1.4 sans-serif;display:flex;gap:6px;align-items:center}
.date-bar input{width:min(46vw,520px)}
.date-bar b{min-width:9.5em;text-align:right}
.above .date-bar{box-shadow:none;border-radius:0;padding:4px 2px}.above .date-bar input{flex:1}
</style>"""
