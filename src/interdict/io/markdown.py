"""Markdown to safe HTML: raw HTML in the source is not rendered, and the output is sanitised again."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable("strikethrough")
_ALLOWED_SCHEMES = {"http", "https", "mailto"}


def render(text: str) -> str:
    html = _md.render(text)
    return str(nh3.clean(html, url_schemes=_ALLOWED_SCHEMES, link_rel="noopener noreferrer nofollow"))
