"""What the seizure, statistics and operation pages share: labels, form parsing, rendering."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from fastapi.responses import Response

from interdict.io.csvsafe import cell
from interdict.web.context import WebContext
from interdict.web.forms import (
    N_,
    bounded,
)
from interdict.web.i18n import substance_name, translations

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BARS = 20  # bars in the statistics chart; the table has every row
ITEM_FIELDS = ("substance", "quantity", "unit", "purity_pct", "form")
ASSET_FIELDS = ("kind", "description", "count", "value", "currency")
RESULT_FIELDS = ("substance", "quantity", "unit", "cases", "suspects_arrested", "note")
ENCODINGS = ("utf-8", "gb18030", "windows-1251", "cp874", "latin-1")
CONSOLIDATED_COLUMNS = (
    "row", "agency", "substance", "cases", "suspects_arrested", "mass_kg", "share_mass_pct", "count",
    "count_unit", "basis", "tagged_seizures", "tagged_mass_kg", "tagged_count", "reported_cases",
    "reported_mass_kg", "reported_count", "note",
)  # fmt: skip
REFUSED_INLINE_MAX = 900_000  # refused rows offered for download by posting them back (body limit)
NOT_NUMBER = N_("Give a number, with a point as the decimal mark, e.g. 12.5.")
NOT_WHOLE = N_("Give a whole number, e.g. 3.")
NOT_DATE = N_("Give a date as YYYY-MM-DD.")

# Labels of the statistics keys and of the values the pages show from codes, translated when shown.
KEY_LABELS = {
    "substance": N_("Substance"),
    "category": N_("Category of substance"),
    "country": N_("Country of seizure"),
    "agency": N_("Reporting agency"),
    "port_type": N_("Type of location"),
    "port": N_("Port or crossing"),
    "origin": N_("Country of origin"),
    "destination": N_("Country of destination"),
    "route": N_("Route (origin > destination)"),
    "operation": N_("Joint operation"),
    "year": N_("Year"),
    "quarter": N_("Quarter"),
    "month": N_("Month"),
}
CATEGORY_LABELS = {
    "opioid": N_("Opioids"),
    "ats": N_("Amphetamine-type stimulants"),
    "cocaine": N_("Cocaine-type"),
    "cannabis": N_("Cannabis-type"),
    "hallucinogen": N_("Hallucinogens and dissociatives"),
    "sedative": N_("Sedatives and hypnotics"),
    "nps": N_("New psychoactive substances"),
    "precursor": N_("Precursor chemicals"),
    "other": N_("Other"),
}
LOCATION_LABELS = {
    "inland": N_("Inland (road, rail, premises)"),
    "border_crossing": N_("Land border crossing"),
    "airport": N_("Airport"),
    "seaport": N_("Seaport"),
    "river_port": N_("River port"),
    "postal_hub": N_("Postal or courier hub"),
}
SPECIAL_VALUES = {"(unknown)": N_("(unknown)"), "(none)": N_("(none)")}


# -- shared helpers --------------------------------------------------------------------------------------
def gettext_of(ctx: WebContext) -> Callable[[str], str]:
    return translations(ctx.lang).gettext


def key_value(key: str, value: str, lang: str) -> str:
    """How a statistics key's value reads: substance and category names, location types, "(none)"."""
    gt = translations(lang).gettext
    if value in SPECIAL_VALUES:
        return gt(SPECIAL_VALUES[value])
    if key == "substance":
        return substance_name(value, lang)
    if key == "category":
        return gt(CATEGORY_LABELS.get(value, value))
    if key == "port_type":
        return gt(LOCATION_LABELS.get(value, value))
    return value


def show(ctx: WebContext, template: str, status: int = 200, **context: Any) -> Response:
    """``ctx.page`` with the label helpers every seizure page uses."""
    lang = ctx.lang
    return ctx.page(
        template,
        status=status,
        sname=lambda code: substance_name(code, lang),
        kv=lambda key, value: key_value(key, value, lang),
        key_labels=KEY_LABELS,
        category_labels=CATEGORY_LABELS,
        location_labels=LOCATION_LABELS,
        **context,
    )


def parse_date(text: str, name: str, errors: dict[str, str]) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = NOT_DATE
        return None


def parse_number(text: str, name: str, errors: dict[str, str]) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        errors[name] = NOT_NUMBER
        return None
    return value


def parse_whole(text: str, name: str, errors: dict[str, str], default: int) -> int:
    text = text.strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        errors[name] = NOT_WHOLE
        return default


def reindex(
    errors: dict[str, str], family: str, rows: Sequence[int], lone: Sequence[str] = ()
) -> dict[str, str]:
    """Errors keyed by position in the payload (``items[0].unit``) rekeyed by the form's line, since blank
    lines are left out; a lone line's errors come unprefixed from the rules (``unit``): ``lone`` names them."""
    out: dict[str, str] = {}
    for key, message in errors.items():
        found = re.match(rf"^{family}\[(\d+)\]\.(\w+)$", key)
        if found and int(found.group(1)) < len(rows):
            key = f"{family}[{rows[int(found.group(1))]}].{found.group(2)}"
        elif key in lone and len(rows) == 1:
            key = f"{family}[{rows[0]}].{key}"
        out.setdefault(key, message)
    return out


def line_count(form: dict[str, str], default: int, most: int) -> int:
    count = bounded(form.get("lines", ""), default, 1, most)
    return min(count + 1, most) if form.get("action") == "add_line" else count


def lines_of(form: dict[str, str], family: str, fields: Sequence[str], count: int) -> list[dict[str, str]]:
    return [{f: form.get(f"{family}[{i}].{f}", "").strip() for f in fields} for i in range(count)]


def csv_text(rows: Sequence[Sequence[object]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return buf.getvalue()
