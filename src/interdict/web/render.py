"""Jinja environment: autoescaping, the i18n extension bound per request, locale-aware filters."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from interdict.web.i18n import LANGUAGES, fmt_date, fmt_datetime, fmt_number, translations

TEMPLATES = Path(__file__).parent / "templates"


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["LANGUAGES"] = LANGUAGES
    return env


def render(name: str, lang: str, **context: Any) -> str:
    env = environment()
    tr = translations(lang)
    template = env.get_template(name)
    return template.render(
        _=tr.gettext,
        gettext=tr.gettext,
        ngettext=tr.ngettext,
        lang=lang,
        fdt=lambda v: fmt_datetime(v, lang),
        fd=lambda v: fmt_date(v, lang),
        fn=lambda v: fmt_number(v, lang),
        **context,
    )
