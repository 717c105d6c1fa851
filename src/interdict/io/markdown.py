"""Markdown to safe HTML: raw HTML in the source is not rendered, and the output is sanitised again."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable("strikethrough")
_ALLOWED_SCHEMES = {"http", "https", "mailto"}


def render(text: str) -> str:
    """List pages render the same bodies again and again: texts up to 16 KiB are rendered once
    (at most 2,048 of them, so the cache stays under ~40 MB whatever is stored)."""
    return _render_cached(text) if len(text) <= 16_384 else _render(text)


@lru_cache(maxsize=2048)
def _render_cached(text: str) -> str:
    return _render(text)


def _render(text: str) -> str:
    html = _md.render(text)
    return str(nh3.clean(html, url_schemes=_ALLOWED_SCHEMES, link_rel="noopener noreferrer nofollow"))
