"""Areas that indicator values are about: countries, their subdivisions, and named regions.

Countries and subdivisions are ISO 3166 codes, read with pycountry (``TH``, ``MM-17``). A region is
a set of countries or subdivisions under a name of its own (``GOLDEN-TRIANGLE``), each with the
public source of the definition. A value may be given for a region directly (a survey's regional
total); where it is not, a region's figure can be summed from its members when every member has one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from interdict.domain.errors import BadInputError
from interdict.domain.indicators import suggest


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    members: tuple[str, ...]
    source: str


REGIONS: dict[str, Region] = {
    r.code: r
    for r in (
        Region(
            "GOLDEN-TRIANGLE",
            "Golden Triangle",
            ("MM", "LA", "TH"),
            "UNODC, Southeast Asia Opium Survey (2014 and later editions): the opium-growing border "
            "area of Myanmar, the Lao PDR and Thailand; taken here as the three countries.",
        ),
        Region(
            "GOLDEN-CRESCENT",
            "Golden Crescent",
            ("AF", "IR", "PK"),
            "UNODC, World Drug Report (e.g. 2017, opiates): the opium-producing and transit area of "
            "Afghanistan, the Islamic Republic of Iran and Pakistan; taken here as the three countries.",
        ),
        Region(
            "MEKONG",
            "Greater Mekong Subregion",
            ("KH", "CN-YN", "LA", "MM", "TH", "VN"),
            "Asian Development Bank, Greater Mekong Subregion programme: Cambodia, the People's Republic "
            "of China (Yunnan province and Guangxi), the Lao PDR, Myanmar, Thailand and Viet Nam; "
            "Yunnan (CN-YN) only here, where the drug routes run.",
        ),
        Region(
            "CENTRAL-ASIA",
            "Central Asia",
            ("KZ", "KG", "TJ", "TM", "UZ"),
            "UNODC Regional Programme for Afghanistan and Neighbouring Countries; the five Central "
            "Asian republics on the 'northern route' for Afghan opiates.",
        ),
    )
}

# Names in common use that pycountry does not carry.
_COUNTRY_WORDS = {
    "laos": "LA", "lao pdr": "LA", "burma": "MM", "vietnam": "VN", "iran": "IR", "russia": "RU",
    "south korea": "KR", "north korea": "KP", "syria": "SY", "bolivia": "BO", "venezuela": "VE",
    "türkiye": "TR", "turkey": "TR", "hong kong": "HK", "macau": "MO", "taiwan": "TW",
}  # fmt: skip


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    kind: str  # country | subdivision | region
    members: tuple[str, ...] = ()
    source: str = ""


@functools.cache
def _country_names() -> dict[str, str]:
    import pycountry

    names: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name", "alpha_3"):
            value = getattr(c, attr, None)
            if value:
                names[value.lower()] = c.alpha_2
    names.update(_COUNTRY_WORDS)
    return names


def resolve_area(text: object) -> Area:
    """The area named by a code or English name; unknown names are refused with suggestions."""
    import pycountry

    raw = "" if text is None else str(text).strip()
    if not raw:
        raise BadInputError("the area is empty; give a country code (TH), subdivision (MM-17) or region",
                            {"area": "empty"})  # fmt: skip
    key = raw.upper().replace(" ", "-").replace("_", "-")
    if key in REGIONS:
        r = REGIONS[key]
        return Area(r.code, r.name, "region", r.members, r.source)
    by_name = {r.name.upper(): r for r in REGIONS.values()}
    if raw.upper() in by_name:
        r = by_name[raw.upper()]
        return Area(r.code, r.name, "region", r.members, r.source)
    if len(raw) == 2 and (c := pycountry.countries.get(alpha_2=raw.upper())) is not None:
        return Area(c.alpha_2, c.name, "country")
    if "-" in raw and (s := pycountry.subdivisions.get(code=raw.upper())) is not None:  # type: ignore[no-untyped-call]
        return Area(s.code, s.name, "subdivision")
    code = _country_names().get(raw.lower())
    if code is not None:
        c = pycountry.countries.get(alpha_2=code)
        return Area(code, c.name if c else code, "country")
    choices = [*REGIONS, *(r.name for r in REGIONS.values()), *(n.title() for n in _country_names() if len(n) > 3)]
    near = suggest(raw, choices)
    hint = f"; did you mean {', '.join(near)}?" if near else ""
    raise BadInputError(f"unknown area {raw!r}{hint}", {"area": f"unknown area {raw!r}"})


def area_name(code: str) -> str:
    try:
        return resolve_area(code).name
    except BadInputError:
        return code


def region_members(code: str) -> tuple[str, ...]:
    r = REGIONS.get(code)
    return r.members if r else ()
