"""Languages: message catalogues (gettext .po, read at start-up with Babel), the user's choice, locale
formatting of dates and numbers."""

from __future__ import annotations

import gettext
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LANGUAGES: dict[str, str] = {"en": "English", "zh": "中文", "ru": "Русский"}
DEFAULT = "en"
CATALOGUES = Path(__file__).parent / "translations"


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalogue for ``lang``, compiled in memory from its .po file (no build step)."""
    po = CATALOGUES / lang / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    import io

    from babel.messages.mofile import write_mo

    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(fp=buf)


def negotiate(accept_language: str | None, cookie: str | None, user_pref: str | None) -> str:
    """The user's explicit choice, then their saved preference, then the browser's, then English."""
    for choice in (cookie, user_pref):
        if choice in LANGUAGES:
            return str(choice)
    wanted = []
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().replace("-", "_")
        if tag:
            wanted.append(tag)
    try:
        best = Locale.negotiate(wanted, list(LANGUAGES), sep="_")
    except (UnknownLocaleError, ValueError):
        best = None
    return str(best) if best is not None else DEFAULT


def babel_locale(lang: str) -> str:
    return {"zh": "zh_Hans_CN", "ru": "ru_RU"}.get(lang, "en_GB")


def fmt_datetime(value: datetime | None, lang: str) -> str:
    if value is None:
        return ""
    return str(format_datetime(value, "medium", locale=babel_locale(lang))) + " UTC"


def fmt_date(value: date | None, lang: str) -> str:
    return "" if value is None else str(format_date(value, "medium", locale=babel_locale(lang)))


def fmt_number(value: float | int | None, lang: str) -> str:
    return "" if value is None else str(format_decimal(value, locale=babel_locale(lang)))


def substance_name(code: str, lang: str) -> str:
    """The catalogue's name in the page's language (its first Chinese or Russian name), else English."""
    from interdict.domain.substances import catalogue

    sub = catalogue().get(code)
    if sub is None:
        return code
    local = {"zh": sub.names_zh, "ru": sub.names_ru}.get(lang, ())
    return local[0] if local else sub.name
