"""HTML made from the data: everything escaped, and only http(s) addresses become links."""

from __future__ import annotations

import html
import json
import re
from typing import Any

HTTP_URL = re.compile(r"^https?://\S+$")


def link(source: dict) -> str:
    """A source as HTML: its title, linked only if its URL is http(s), then its publication date."""
    title = html.escape(str(source.get("title", "")))
    url = str(source.get("url", ""))
    published = f" ({html.escape(str(source['published']))})" if source.get("published") else ""
    if HTTP_URL.match(url):
        return f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer">{title}</a>{published}'
    return title + published


def script_json(value: Any) -> str:
    """JSON to embed in a script: compact, and unable to close the <script> element it sits in."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
