"""The rules a seizure report must satisfy, shared by the API, the web form and the bulk importer.

``SeizureRules.check`` takes a draft (what the user typed or the file held, lightly typed) and returns
either a checked seizure (substances resolved in the catalogue, quantities normalised to kg, countries
and ports resolved) or the list of problems, each naming its field. The importer calls it once per
row, so every lookup here is a dictionary hit after the first time a value is seen.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from typing import Any

from interdict.domain.ports import LocationType, ports
from interdict.domain.quantities import (
    Conversion,
    QuantityError,
    Unit,
    check_purity,
    check_quantity,
    conversion,
    parse_unit,
)
from interdict.domain.substances import Substance, catalogue


class TransportMode(enum.StrEnum):
    ROAD = "road"
    RAIL = "rail"
    AIR = "air"
    SEA = "sea"
    RIVER = "river"
    POSTAL = "postal"
    COURIER = "courier"
    PEDESTRIAN = "pedestrian"
    OTHER = "other"


class AssetKind(enum.StrEnum):
    CASH = "cash"
    VEHICLE = "vehicle"
    VESSEL = "vessel"
    PROPERTY = "property"
    FIREARM = "firearm"
    OTHER = "other"


MAX_ITEMS = 50
# Largest single seizure line accepted, in kg: the largest single seizures on record are in the
# hundreds of tonnes (cannabis eradication, precursor stockpiles); beyond this a typo is likelier.
MAX_MASS_KG = 5_000_000.0


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


@dataclass(slots=True)
class ItemDraft:
    substance: str
    quantity: float | None
    unit: str
    purity_pct: float | None = None
    form: str = ""


@dataclass(slots=True)
class SeizureDraft:
    seized_on: date | None
    country: str
    items: list[ItemDraft]
    reference: str = ""
    subdivision: str = ""
    place: str = ""
    latitude: float | None = None
    longitude: float | None = None
    location_type: str = "inland"
    port: str = ""
    concealment: str = ""
    transport_mode: str = ""
    origin_country: str = ""
    transit_countries: Sequence[str] = ()
    destination_country: str = ""
    suspects_arrested: int | None = 0
    suspect_nationalities: Sequence[str] = ()
    assets: list[dict[str, Any]] = field(default_factory=list)
    narrative: str = ""


# Not frozen: built once per imported row, and frozen dataclasses cost several times more to build.
@dataclass(slots=True)
class CheckedItem:
    substance: Substance
    reported_name: str
    quantity: float
    unit: Unit
    mass_kg: float | None
    count: float | None
    count_unit: str
    factor: str
    purity_pct: float | None
    form: str
    category: str = ""  # the substance's category, kept as text for the bulk writer


@dataclass(slots=True)
class CheckedSeizure:
    seized_on: date
    country: str
    items: tuple[CheckedItem, ...]
    reference: str
    subdivision: str
    place: str
    latitude: float | None
    longitude: float | None
    location_type: LocationType
    port_code: str
    concealment: str
    transport_mode: str
    origin_country: str
    transit_countries: tuple[str, ...]
    destination_country: str
    suspects_arrested: int
    suspect_nationalities: tuple[str, ...]
    assets: tuple[dict[str, Any], ...]
    narrative: str

    @property
    def seized_month(self) -> int:
        return self.seized_on.year * 100 + self.seized_on.month


# -- countries ---------------------------------------------------------------------------------------


@cache
def _country_index() -> dict[str, str]:
    import pycountry

    index: dict[str, str] = {}
    for c in pycountry.countries:
        for name in (
            c.alpha_2,
            c.alpha_3,
            c.name,
            getattr(c, "common_name", ""),
            getattr(c, "official_name", ""),
        ):
            if name:
                index[name.casefold()] = c.alpha_2
    # Names seizure files use that ISO 3166 spells otherwise (UNODC tables among them).
    for alias, code in {
        "laos": "LA",
        "lao pdr": "LA",
        "lao people's democratic republic": "LA",
        "burma": "MM",
        "vietnam": "VN",
        "viet nam": "VN",
        "iran": "IR",
        "iran (islamic republic of)": "IR",
        "russia": "RU",
        "russian federation": "RU",
        "south korea": "KR",
        "republic of korea": "KR",
        "hong kong": "HK",
        "china, hong kong sar": "HK",
        "hong kong sar": "HK",
        "macau": "MO",
        "macao": "MO",
        "china, macao sar": "MO",
        "taiwan": "TW",
        "turkey": "TR",
        "türkiye": "TR",
        "kyrgyzstan": "KG",
        "syria": "SY",
        "bolivia": "BO",
        "venezuela": "VE",
        "united states": "US",
        "usa": "US",
        "united states of america": "US",
        "uk": "GB",
        "united kingdom": "GB",
        "tanzania": "TZ",
    }.items():
        index[alias] = code
    return index


@cache
def resolve_country(text: str) -> str | None:
    """ISO 3166-1 alpha-2 code for a code (alpha-2 or alpha-3) or an English country name."""
    return _country_index().get(" ".join(text.split()).casefold())


@cache
def _subdivision_codes(country: str) -> frozenset[str]:
    import pycountry

    found = pycountry.subdivisions.get(country_code=country)  # type: ignore[no-untyped-call]
    return frozenset(s.code for s in found or ())


@cache
def _currencies() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.currencies)


# -- the rules ---------------------------------------------------------------------------------------


def _country_field(value: str, name: str, errors: list[tuple[str, str]], required: bool = False) -> str:
    if not value:
        if required:
            errors.append((name, "is required (ISO 3166-1 code or English country name)"))
        return ""
    code = resolve_country(value)
    if code is None:
        errors.append((name, f"unknown country {value!r} (use an ISO 3166-1 code such as TH or MMR)"))
        return ""
    return code


def _suggest_substance(name: str) -> str:
    hints = catalogue().suggest(name, 3)
    return f"; did you mean {', '.join(hints)}?" if hints else ""


@dataclass(frozen=True)
class Line:
    """What a substance name and a unit resolve to: the same for every row that says the same."""

    substance: Substance
    unit: Unit
    conversion: Conversion
    category: str


@lru_cache(maxsize=4096)
def resolve_line(name: str, unit_text: str) -> tuple[Line | None, tuple[tuple[str, str], ...]]:
    """The catalogue entry and conversion for a substance name and unit, or the problems as (field,
    message). Cached: a file of a million rows names a few dozen substances and units."""
    errors: list[tuple[str, str]] = []
    substance = catalogue().resolve(name) if name else None
    if not name:
        errors.append(("substance", "is required"))
    elif substance is None:
        exact = catalogue().candidates(name)
        if len(exact) > 1:
            errors.append(
                (
                    "substance",
                    f"{name!r} names more than one substance "
                    f"({', '.join(m.code for m in exact)}); give the catalogue code",
                )
            )
        else:
            errors.append(("substance", f"unknown substance {name!r}{_suggest_substance(name)}"))
    unit: Unit | None = None
    try:
        unit = parse_unit(unit_text)
    except QuantityError as exc:
        errors.append(("unit", str(exc)))
    if substance is None or unit is None:
        return None, tuple(errors)
    try:
        conv = conversion(substance, unit)
    except QuantityError as exc:
        return None, (*errors, ("unit", str(exc)))
    return Line(substance, unit, conv, substance.category.value), tuple(errors)


def check_item(draft: ItemDraft, prefix: str, errors: list[FieldError]) -> CheckedItem | None:
    n = len(errors)
    line, problems = resolve_line(draft.substance, draft.unit)
    errors.extend(FieldError(prefix + f, m) for f, m in problems)
    q = draft.quantity
    purity = draft.purity_pct
    try:
        if q is None:
            errors.append(FieldError(f"{prefix}quantity", "is required"))
        else:
            check_quantity(q)
    except QuantityError as exc:
        errors.append(FieldError(f"{prefix}quantity", exc.message))
    try:
        check_purity(purity, "purity_pct")
    except QuantityError as exc:
        errors.append(FieldError(f"{prefix}purity_pct", exc.message))
    if len(draft.form) > 40:
        errors.append(FieldError(f"{prefix}form", "must be at most 40 characters"))
    if line is None or len(errors) > n:
        return None
    assert q is not None
    mass_kg, count = line.conversion.apply(q)
    if mass_kg is not None and mass_kg > MAX_MASS_KG:
        errors.append(
            FieldError(
                f"{prefix}quantity",
                f"{q:g} {line.unit.value} is {mass_kg:,.0f} kg, above the plausible maximum",
            )
        )
        return None
    return CheckedItem(
        substance=line.substance,
        reported_name=draft.substance[:200],
        quantity=q,
        unit=line.unit,
        mass_kg=mass_kg,
        count=count,
        count_unit=line.conversion.count_unit or "",
        factor=line.conversion.note,
        purity_pct=purity,
        form=draft.form,
        category=line.category,
    )


@dataclass(frozen=True)
class Place:
    """Where a seizure happened and which way it was going, resolved: the same for every row that says
    the same thing, so the importer checks each combination once."""

    country: str
    subdivision: str
    location_type: LocationType
    port_code: str
    port_position: tuple[float, float] | None
    transport_mode: str
    origin_country: str
    transit_countries: tuple[str, ...]
    destination_country: str
    suspect_nationalities: tuple[str, ...]


@lru_cache(maxsize=65536)
def resolve_place(
    country_text: str,
    subdivision_text: str,
    location_text: str,
    port_text: str,
    mode_text: str,
    origin_text: str,
    transit_texts: tuple[str, ...],
    destination_text: str,
    nationality_texts: tuple[str, ...],
) -> tuple[Place | None, tuple[tuple[str, str], ...]]:
    errors: list[tuple[str, str]] = []
    country = _country_field(country_text, "country", errors, required=True)
    subdivision = subdivision_text.strip().upper()
    if subdivision and country:
        if "-" not in subdivision:
            subdivision = f"{country}-{subdivision}"
        if subdivision not in _subdivision_codes(country):
            errors.append(
                ("subdivision", f"{subdivision_text!r} is not an ISO 3166-2 subdivision of {country}")
            )
    location_type = _location(location_text, errors)
    port_code = ""
    position: tuple[float, float] | None = None
    if port_text:
        port = ports().resolve(port_text, country or None)
        if port is None:
            hints = ports().suggest(port_text, country or None, 3)
            hint = f"; did you mean {', '.join(hints)}?" if hints else ""
            errors.append(("port", f"unknown port or crossing {port_text!r} in {country or '?'}{hint}"))
        else:
            port_code = port.code
            if country and port.country != country and port.counterpart_country != country:
                errors.append(("port", f"{port.name} ({port.code}) is not in {country}"))
            if (
                location_type is not None
                and location_type is not LocationType.INLAND
                and port.kind != location_type
            ):
                errors.append(("port", f"{port.name} is a {port.kind.value}, not a {location_type.value}"))
            if location_type is LocationType.INLAND:
                location_type = port.kind
            position = (port.lat, port.lon)
    mode = mode_text.strip().lower()
    if mode and mode not in TransportMode.__members__.values():
        errors.append(
            (
                "transport_mode",
                f"unknown transport mode {mode_text!r}; expected one of "
                + ", ".join(m.value for m in TransportMode),
            )
        )
    origin = _country_field(origin_text, "origin_country", errors)
    destination = _country_field(destination_text, "destination_country", errors)
    transit = tuple(
        c for c in (_country_field(t, "transit_countries", errors) for t in transit_texts if t) if c
    )
    nationalities = tuple(
        c for c in (_country_field(t, "suspect_nationalities", errors) for t in nationality_texts if t) if c
    )
    if errors or location_type is None:
        return None, tuple(errors)
    return (
        Place(
            country,
            subdivision,
            location_type,
            port_code,
            position,
            mode,
            origin,
            tuple(dict.fromkeys(transit)),
            destination,
            tuple(dict.fromkeys(nationalities)),
        ),
        (),
    )


def _location(text: str, errors: list[tuple[str, str]]) -> LocationType | None:
    raw = (text or "inland").strip().lower().replace(" ", "_").replace("-", "_")
    aliases = {
        "border": "border_crossing",
        "port": "seaport",
        "postal": "postal_hub",
        "courier": "postal_hub",
    }
    raw = aliases.get(raw, raw)
    try:
        return LocationType(raw)
    except ValueError:
        errors.append(
            (
                "location_type",
                f"unknown location type {text!r}; expected one of "
                + ", ".join(t.value for t in LocationType),
            )
        )
        return None


_TEXT_LIMITS = {"reference": 100, "place": 200, "concealment": 200, "narrative": 20_000}


class SeizureRules:
    """Checks drafts against the catalogue, the ports and the calendar of ``today``."""

    def __init__(self, today: date) -> None:
        self.today = today

    def check(self, d: SeizureDraft) -> tuple[CheckedSeizure | None, list[FieldError]]:
        errors: list[FieldError] = []
        if d.seized_on is None:
            errors.append(FieldError("seized_on", "is required (YYYY-MM-DD)"))
        elif d.seized_on > self.today:
            errors.append(FieldError("seized_on", f"{d.seized_on.isoformat()} is in the future"))
        elif d.seized_on.year < 1900:
            errors.append(FieldError("seized_on", f"{d.seized_on.isoformat()} is before 1900"))
        where, problems = resolve_place(
            d.country,
            d.subdivision,
            d.location_type,
            d.port,
            d.transport_mode,
            d.origin_country,
            tuple(d.transit_countries),
            d.destination_country,
            tuple(d.suspect_nationalities),
        )
        errors.extend(FieldError(f, m) for f, m in problems)
        for name, limit in _TEXT_LIMITS.items():
            if len(getattr(d, name)) > limit:
                errors.append(FieldError(name, f"must be at most {limit} characters"))
        lat, lon = d.latitude, d.longitude
        if (lat is None) != (lon is None):
            errors.append(
                FieldError("latitude" if lat is None else "longitude", "give both coordinates or neither")
            )
        if lat is not None and not (math.isfinite(lat) and -90 <= lat <= 90):
            errors.append(FieldError("latitude", f"must be between -90 and 90 (got {lat:g})"))
        if lon is not None and not (math.isfinite(lon) and -180 <= lon <= 180):
            errors.append(FieldError("longitude", f"must be between -180 and 180 (got {lon:g})"))
        if where is not None and lat is None and where.port_position is not None:
            lat, lon = where.port_position
        suspects = d.suspects_arrested
        if suspects is None or suspects < 0 or suspects > 100_000:
            errors.append(
                FieldError(
                    "suspects_arrested", f"must be a whole number from 0 to 100,000 (got {suspects!r})"
                )
            )
            suspects = 0
        assets = self._assets(d.assets, errors)
        items: list[CheckedItem] = []
        if not d.items:
            errors.append(FieldError("items", "a seizure needs at least one substance"))
        elif len(d.items) > MAX_ITEMS:
            errors.append(FieldError("items", f"at most {MAX_ITEMS} substances per seizure"))
        else:
            multi = len(d.items) > 1
            for i, item in enumerate(d.items):
                checked = check_item(item, f"items[{i}]." if multi else "", errors)
                if checked is not None:
                    items.append(checked)
        if errors or d.seized_on is None or where is None:
            return None, errors
        return (
            CheckedSeizure(
                seized_on=d.seized_on,
                country=where.country,
                items=tuple(items),
                reference=d.reference,
                subdivision=where.subdivision,
                place=d.place,
                latitude=lat,
                longitude=lon,
                location_type=where.location_type,
                port_code=where.port_code,
                concealment=d.concealment,
                transport_mode=where.transport_mode,
                origin_country=where.origin_country,
                transit_countries=where.transit_countries,
                destination_country=where.destination_country,
                suspects_arrested=suspects,
                suspect_nationalities=where.suspect_nationalities,
                assets=assets,
                narrative=d.narrative,
            ),
            [],
        )

    @staticmethod
    def _assets(raw: list[dict[str, Any]], errors: list[FieldError]) -> tuple[dict[str, Any], ...]:
        out = []
        for i, a in enumerate(raw):
            kind = str(a.get("kind", "")).lower()
            if kind not in AssetKind.__members__.values():
                errors.append(
                    FieldError(
                        f"assets[{i}].kind",
                        f"unknown asset kind {kind!r}; expected one of "
                        + ", ".join(k.value for k in AssetKind),
                    )
                )
                continue
            value = a.get("value")
            currency = str(a.get("currency") or "").upper()
            if value is not None:
                if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                    errors.append(
                        FieldError(f"assets[{i}].value", f"must be a number from 0 (got {value!r})")
                    )
                    continue
                if currency not in _currencies():
                    errors.append(
                        FieldError(
                            f"assets[{i}].currency",
                            f"{currency or '(none)'} is not an ISO 4217 currency code",
                        )
                    )
                    continue
            count = a.get("count", 1)
            if not isinstance(count, int) or count < 1:
                errors.append(
                    FieldError(f"assets[{i}].count", f"must be a whole number from 1 (got {count!r})")
                )
                continue
            out.append(
                {
                    "kind": kind,
                    "description": str(a.get("description") or "")[:300],
                    "count": count,
                    "value": float(value) if value is not None else None,
                    "currency": currency if value is not None else "",
                }
            )
        return tuple(out)
