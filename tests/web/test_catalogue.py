"""The message catalogues are complete: every string the pages mark for translation (re-extracted here from
the templates and the web package's Python, as ``pybabel extract -F babel.cfg`` does) has a translation in
each language the language menu offers, with the same %(name)s placeholders.

To add strings after changing a page:
    .venv/bin/pybabel extract -F babel.cfg -o /tmp/messages.pot src/interdict/web
    .venv/bin/pybabel update -i /tmp/messages.pot -d src/interdict/web/translations --no-fuzzy-matching
then translate the new empty entries (and delete the obsolete ``#~`` ones).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from interdict.domain.roles import ROLE_LABELS, Role
from interdict.web.context import ERROR_TITLES
from interdict.web.i18n import CATALOGUES, DEFAULT, LANGUAGES, translations

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "src" / "interdict" / "web"
TRANSLATED = [lang for lang in LANGUAGES if lang != DEFAULT]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")
CJK = re.compile(r"[\u3400-\u9fff]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def _key(msgid: object) -> str:
    """A message's id; the singular for plural messages."""
    return msgid if isinstance(msgid, str) else str(next(iter(msgid)))  # type: ignore[call-overload]


@cache
def extracted() -> dict[str, list[str]]:
    """msgid -> where it is used, from the sources as they are now."""
    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)  # type: ignore[no-untyped-call]
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(WEB, method_map, options_map):
        found.setdefault(_key(message), []).append(f"{filename}:{lineno}")
    return found


@cache
def catalogue(lang: str) -> Catalog:
    po = CATALOGUES / lang / "LC_MESSAGES" / "messages.po"
    assert po.exists(), (
        f"no catalogue for {lang!r} at {po.relative_to(ROOT)}, yet the language menu offers it"
    )
    with po.open("rb") as fh:
        return read_po(fh, locale=lang)


def _strings(message: object) -> list[str]:
    value = getattr(message, "string", "")
    return [value] if isinstance(value, str) else list(value)


def test_extraction_finds_the_pages() -> None:
    found = extracted()
    used = {Path(w.split(":")[0]).parts[0] for where in found.values() for w in where}
    assert {"templates", "vocabulary.py"} <= used
    assert "Sign in" in found and "Dashboard" in found


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_has_a_translation(lang: str) -> None:
    cat = catalogue(lang)
    missing = []
    for msgid, where in sorted(extracted().items()):
        message = cat.get(msgid)
        if message is None or not all(s.strip() for s in _strings(message)) or message.fuzzy:
            missing.append(f"{msgid!r} ({where[0]})")
    assert not missing, f"{len(missing)} message(s) without a {lang} translation:\n" + "\n".join(missing)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_stale_entries(lang: str) -> None:
    """Entries the sources no longer use are removed, so the catalogue says what the pages show."""
    used = extracted()
    stale = [_key(m.id) for m in catalogue(lang) if m.id and _key(m.id) not in used]
    assert not stale, f"{lang}: entries no source uses any more: {stale}"
    assert not catalogue(lang).obsolete, f"{lang}: obsolete (#~) entries: {list(catalogue(lang).obsolete)}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_placeholders_match(lang: str) -> None:
    wrong = []
    for message in catalogue(lang):
        if not message.id:
            continue
        want = sorted(PLACEHOLDER.findall(_key(message.id)))
        for string in _strings(message):
            if string and sorted(PLACEHOLDER.findall(string)) != want:
                wrong.append(f"{_key(message.id)!r} -> {string!r}")
            elif string and "%" in PLACEHOLDER.sub("", string).replace("%%", ""):
                wrong.append(f"{_key(message.id)!r} -> {string!r} (a stray %)")
    assert not wrong, f"{lang}: placeholders differ:\n" + "\n".join(wrong)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_are_in_the_language(lang: str) -> None:
    """A translation that is still the English text is a forgotten one (names and codes excepted)."""
    script = {"zh": CJK, "ru": CYRILLIC}[lang]
    same = [
        _key(m.id)
        for m in catalogue(lang)
        if m.id
        and m.string
        and not script.search(str(m.string))
        and re.search(r"[a-z]{3}", _key(m.id))
        and _key(m.id) not in {"Interdict", "SHA-256"}
    ]
    assert not same, f"{lang}: translations without a word of the language: {same}"


def test_vocabulary_mirrors_the_codes_templates_translate() -> None:
    """The page header translates role codes and error.html the error titles from variables;
    vocabulary.py lists them for extraction and must follow the enums. Role labels, categories and
    distributions are shown through label macros whose strings are extracted from the templates."""
    needed = {r.value for r in Role} | set(ERROR_TITLES.values()) | {"Error"} | set(ROLE_LABELS.values())
    needed |= {"Trafficking route", "Members of named mechanisms"}  # two of the label macros' strings
    missing = sorted(needed - set(extracted()))
    assert not missing, f"add these to src/interdict/web/vocabulary.py: {missing}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_loads_at_run_time(lang: str) -> None:
    tr = translations(lang)
    assert tr.gettext("Sign in") != "Sign in"
    assert tr.gettext("analyst") != "analyst"
