"""Text from the data or a URL, made safe for where it is shown; markup in the data, found.

Leaflet popups and tooltips take HTML: `html.escape`. Streamlit renders
Markdown (with HTML where the app allows it) in `st.markdown`, alerts, button
and pill labels: `markdown_literal`. A source link is shown in both. A
spreadsheet runs formulas: `spreadsheet_safe`, when the user asks for it.
"""

from __future__ import annotations

import html
import json
import re
import string
from typing import Any

HTTP_URL = re.compile(r"^https?://\S+$")
# Every ASCII punctuation character is one Markdown may treat as syntax (CommonMark's escapable set).
_LITERAL = str.maketrans({mark: f"&#{ord(mark)};" for mark in string.punctuation})
_TEMPLATE_LITERAL = str.maketrans({mark: f"&#{ord(mark)};" for mark in "`$\\{"})
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEMPLATE_OPENING = re.compile(r"\{(?=[{%#])")  # where Jinja sees a tag, an expression or a comment begin
NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
# Where a renderer would read decoded text as more than text: GFM links ("https://", "www.", "@") and
# Streamlit's shortcodes (":tada:", ":streamlit:", ":material/…:") and arrows ("->", "<=", "--").
SHAPED = re.compile(r"(?<=:)|(?<=[<>=~-])(?=[<>=~-])|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
MARKUP = [
    (re.compile(r"<[A-Za-z/!?]"), "an HTML tag"),
    (re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);"), "an HTML character reference"),
    (re.compile(r"\]\(|!\[|\]\["), "a Markdown link or image"),
    (re.compile(r":[A-Za-z-]+\[|:material/"), "a Streamlit Markdown directive"),
    (re.compile(r"(https?|ftp|javascript|data):|www\.", re.IGNORECASE), "a web address (addresses belong in sources)"),
]


def markdown_literal(text: Any) -> str:
    """Text that Markdown, with or without HTML, shows exactly as it is.

    Every punctuation character becomes a numeric character reference, which
    CommonMark renders as that character and never reads as syntax: no link,
    image, emphasis, tag or directive can form, in labels or in markup.
    Some renderers also reshape the decoded text: remark-gfm (as Streamlit uses)
    links addresses, Streamlit draws icons for shortcodes and arrows for "->".
    An invisible word joiner breaks each of those apart.
    """
    return SHAPED.sub("\u2060", str(text)).translate(_LITERAL)


def html_text(text: Any) -> str:
    """Text as HTML that stays text inside a JavaScript template literal (folium's Tooltip puts its text in one)
    and inside a Jinja template (branca compiles every rendered script again as one), so no "{" is left."""
    return html.escape(str(text)).translate(_TEMPLATE_LITERAL)


def quoted(value: Any, limit: int = 60) -> str:
    """A value a user gave, quoted for a message and cut short if long."""
    text = str(value)
    return repr(text if len(text) <= limit else text[:limit] + "…")


def spreadsheet_safe(cell: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula (OWASP's advice): a ' before = + - @ tab or CR.

    Plain numbers (-12.5) are left alone, since no spreadsheet reads them as formulas.
    """
    if cell[:1] in FORMULA_STARTS and not NUMBER.match(cell):
        return "'" + cell
    return cell


def markup(text: Any) -> str | None:
    """What markup a name or description holds (an HTML tag, a Markdown link…), or None."""
    if not isinstance(text, str):
        return None
    for pattern, what in MARKUP:
        if pattern.search(text):
            return what
    return None


def source_parts(source: dict, literal=html_text) -> tuple[str, str, str]:
    """A source's title, its URL for an href (empty unless http(s)) and its date, each safe as HTML.

    The map's popups get these three and put the link together in the browser (see
    mapping.ControlAreas), so the markup of a link is not re-sent with every date change.
    """
    url = str(source.get("url", ""))
    published = literal(source["published"]) if source.get("published") else ""
    return literal(source.get("title", "")), html.escape(url, quote=True) if HTTP_URL.match(url) else "", published


def link(source: dict) -> str:
    """A source as HTML for Markdown: its title, linked only if its URL is http(s), then its date."""
    title, url, published = source_parts(source, markdown_literal)
    shown = f'<a href="{url}" target="_blank" rel="noopener noreferrer">{title}</a>' if url else title
    return shown + (f" ({published})" if published else "")


def script_json(value: Any) -> str:
    """JSON to embed in a script: compact, unable to close the <script> element it sits in, and no template.

    branca compiles every rendered script again as a Jinja template, so a "{{" in the data would
    be run on the server; in compact JSON a brace before {, % or # can only be inside a string,
    where it is written as \\u007b instead.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return TEMPLATE_OPENING.sub(r"\\u007b", text)
