"""Demo seizures and the demo joint operation, generated deterministically from a seed.

The seizures go in through the bulk importer (one CSV per agency and distribution level), so the demo
exercises the same path as agencies' files. Substances, ports, routes and sizes follow the public
picture of the Golden Triangle and Golden Crescent (UNODC Synthetic Drugs in East and Southeast Asia,
World Drug Report): methamphetamine tablets and crystal out of Shan State through Laos and Thailand,
heroin and opium from Afghanistan through Pakistan, Iran and Central Asia. The figures are invented.
"""

from __future__ import annotations

import csv
import io
import math
import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interdict.domain.ports import Port
from interdict.schemas.seizures import OperationCreate, ResultLineIn, ResultsIn
from interdict.services.context import Actor
from interdict.services.demo import _mechanisms_of
from interdict.services.platform import Platform
from interdict.services.seizure_import import FIELDS, ImportOptions
from interdict.services.sharing import DistributionRequest
from interdict.store.seizures import Operation, Seizure
from interdict.store.structure import Agency

# (substance, unit, median quantity, spread (log-sd), form)
Line = tuple[str, str, float, float, str]
METH_TABS: Line = ("methamphetamine", "tablets", 40_000, 1.6, "tablets")
METH_ICE: Line = ("methamphetamine", "kg", 8, 1.5, "crystal")
HEROIN: Line = ("heroin", "kg", 3, 1.3, "powder")
OPIUM: Line = ("opium", "kg", 12, 1.3, "raw")
KETAMINE: Line = ("ketamine", "kg", 4, 1.4, "powder")
CANNABIS: Line = ("cannabis_herb", "kg", 20, 1.5, "herb")
RESIN: Line = ("cannabis_resin", "kg", 25, 1.5, "resin")
MDMA: Line = ("mdma", "tablets", 3_000, 1.3, "tablets")
COCAINE: Line = ("cocaine", "kg", 5, 1.4, "powder")
FENTANYL: Line = ("fentanyl", "kg", 0.5, 1.2, "powder")
MEPHEDRONE: Line = ("mephedrone", "kg", 1, 1.3, "powder")
APVP: Line = ("alpha_pvp", "kg", 0.5, 1.2, "crystal")
NITAZENE: Line = ("protonitazene", "g", 30, 1.0, "tablets")
ACETIC: Line = ("acetic_anhydride", "l", 400, 1.2, "liquid")
EPHEDRINE: Line = ("ephedrine", "kg", 50, 1.3, "powder")
P2P: Line = ("p2p", "l", 200, 1.3, "liquid")
TRAMADOL: Line = ("tramadol", "tablets", 20_000, 1.4, "tablets")


@dataclass(frozen=True)
class Profile:
    lines: tuple[tuple[Line, int], ...]  # (line, weight)
    ports: tuple[str, ...]  # port codes ("" = inland)
    routes: tuple[tuple[str, str, str], ...]  # origin, transit (;-separated), destination
    subdivisions: tuple[str, ...] = ()


PROFILES: dict[str, Profile] = {
    "TH": Profile(
        ((METH_TABS, 8), (METH_ICE, 4), (KETAMINE, 2), (HEROIN, 1), (CANNABIS, 1)),
        (
            "XING:TH-MM-MAESAI",
            "XING:TH-LA-CHIANGKHONG",
            "SITE:TH-CHIANGSAEN",
            "THMDN",
            "IATA:BKK",
            "THLCH",
            "",
            "",
        ),
        (("MM", "", "TH"), ("MM", "LA", "TH"), ("MM", "TH", "MY"), ("LA", "", "TH"), ("MM", "TH", "AU")),
        ("TH-57", "TH-50", "TH-48", "TH-10", "TH-58"),
    ),
    "MM": Profile(
        ((METH_TABS, 6), (METH_ICE, 4), (HEROIN, 2), (OPIUM, 2), (KETAMINE, 1), (ACETIC, 1)),
        ("XING:MM-TH-TACHILEIK", "XING:MM-CN-MUSE", "XING:MM-TH-MYAWADDY", "MMRGN", "IATA:RGN", ""),
        (("MM", "", "TH"), ("MM", "", "CN"), ("MM", "LA", "VN"), ("CN", "", "MM"), ("MM", "", "BD")),
        ("MM-17", "MM-11", "MM-06"),
    ),
    "LA": Profile(
        ((METH_TABS, 6), (METH_ICE, 3), (HEROIN, 2), (KETAMINE, 1)),
        ("XING:LA-TH-HOUAYXAY", "XING:LA-CN-BOTEN", "SITE:LA-GTSEZ", "XING:LA-TH-THANALENG", "IATA:VTE", ""),
        (("MM", "", "LA"), ("MM", "LA", "TH"), ("MM", "LA", "VN"), ("MM", "LA", "KH")),
        ("LA-BK", "LA-LM", "LA-VT", "LA-OU"),
    ),
    "CN": Profile(
        ((METH_ICE, 5), (METH_TABS, 2), (HEROIN, 2), (KETAMINE, 2), (EPHEDRINE, 1), (P2P, 1)),
        ("CNRUI", "CNMHN", "IATA:KMG", "CNSHK", "IATA:CAN", "", ""),
        (("MM", "", "CN"), ("LA", "", "CN"), ("CN", "", "AU"), ("MM", "", "CN")),
        ("CN-YN", "CN-GD", "CN-GX"),
    ),
    "KH": Profile(
        ((METH_ICE, 4), (METH_TABS, 3), (KETAMINE, 2), (MDMA, 1)),
        ("XING:KH-TH-POIPET", "KHKOS", "IATA:KTI", "KHPNH", ""),
        (("MM", "LA", "KH"), ("LA", "", "KH"), ("KH", "", "AU"), ("KH", "", "VN")),
    ),
    "VN": Profile(
        ((METH_ICE, 4), (HEROIN, 3), (METH_TABS, 2), (KETAMINE, 1), (MDMA, 1)),
        ("XING:VN-LA-CAUTREO", "VNSGN", "IATA:SGN", "VNHPH", ""),
        (("LA", "", "VN"), ("MM", "LA", "VN"), ("KH", "", "VN"), ("VN", "", "AU")),
    ),
    "MY": Profile(
        ((METH_ICE, 4), (CANNABIS, 2), (MDMA, 1), (KETAMINE, 1)),
        ("MYPKG", "IATA:KUL", ""),
        (("TH", "", "MY"), ("MY", "", "AU")),
    ),
    "SG": Profile(
        ((METH_ICE, 3), (HEROIN, 2), (CANNABIS, 1)), ("IATA:SIN", "SGSIN", "SITE:SG-SPC"), (("MY", "", "SG"),)
    ),
    "ID": Profile(
        ((METH_ICE, 4), (CANNABIS, 3), (MDMA, 1)),
        ("IDTPP", "IATA:CGK", ""),
        (("MY", "", "ID"), ("MM", "MY", "ID")),
    ),
    "PH": Profile(
        ((METH_ICE, 5), (CANNABIS, 2), (COCAINE, 1)),
        ("PHMNL", "IATA:MNL", ""),
        (("CN", "", "PH"), ("MM", "", "PH")),
    ),
    "BN": Profile(((METH_ICE, 3), (CANNABIS, 1)), ("",), (("MY", "", "BN"),)),
    "PK": Profile(
        ((HEROIN, 4), (OPIUM, 3), (RESIN, 3), (METH_ICE, 2), (ACETIC, 1)),
        ("PKTOR", "PKCMN", "PKKHI", "PKBQM", "IATA:KHI", ""),
        (("AF", "", "PK"), ("AF", "PK", "IR"), ("AF", "PK", "AE"), ("AF", "PK", "LK")),
    ),
    "IR": Profile(
        ((OPIUM, 5), (HEROIN, 3), (METH_ICE, 3), (RESIN, 2)),
        (
            "XING:IR-AF-DOGHAROUN",
            "XING:IR-AF-MILAK",
            "XING:IR-PK-MIRJAVEH",
            "IRBND",
            "XING:IR-TR-BAZARGAN",
            "",
        ),
        (("AF", "", "IR"), ("PK", "", "IR"), ("AF", "IR", "TR"), ("AF", "PK", "IR")),
    ),
    "TJ": Profile(
        ((HEROIN, 4), (OPIUM, 2), (RESIN, 3)),
        ("XING:TJ-AF-NIZHNYPANJ", "XING:TJ-AF-ISHKASHIM", "IATA:DYU", ""),
        (("AF", "", "TJ"), ("AF", "TJ", "RU"), ("AF", "TJ;KG", "KZ")),
    ),
    "UZ": Profile(
        ((HEROIN, 3), (RESIN, 2), (CANNABIS, 2), (TRAMADOL, 1)),
        ("UZTER", "IATA:TAS", ""),
        (("AF", "", "UZ"), ("AF", "UZ", "KZ")),
    ),
    "KG": Profile(
        ((HEROIN, 2), (CANNABIS, 3), (MEPHEDRONE, 1)),
        ("IATA:FRU", "IATA:OSS", ""),
        (("AF", "TJ", "KG"), ("KG", "KZ", "RU")),
    ),
    "KZ": Profile(
        ((CANNABIS, 3), (HEROIN, 2), (MEPHEDRONE, 2), (APVP, 1)),
        ("IATA:ALA", "XING:KZ-CN-DOSTYK", "XING:KZ-KG-KORDAI", ""),
        (("KG", "", "KZ"), ("AF", "TJ;KG", "KZ"), ("KZ", "", "RU")),
    ),
    "RU": Profile(
        ((MEPHEDRONE, 4), (APVP, 3), (HEROIN, 2), (RESIN, 2), (COCAINE, 1)),
        ("IATA:SVO", "IATA:DME", "RUVVO", "SITE:RU-MOWVKO", ""),
        (("KZ", "", "RU"), ("AF", "TJ;KZ", "RU"), ("CN", "KZ", "RU")),
    ),
    "BY": Profile(((MEPHEDRONE, 2), (APVP, 2), (CANNABIS, 2)), ("",), (("RU", "", "BY"),)),
    "IN": Profile(
        ((HEROIN, 4), (METH_TABS, 2), (TRAMADOL, 2), (CANNABIS, 2)),
        ("INMUN", "INATT", "INMRE", "IATA:DEL", ""),
        (("AF", "PK", "IN"), ("MM", "", "IN"), ("AF", "IR", "IN")),
    ),
    "US": Profile(
        ((FENTANYL, 4), (METH_ICE, 3), (COCAINE, 2), (NITAZENE, 1)),
        ("",),
        (("MX", "", "US"), ("CN", "", "US")),
    ),
}
DEFAULT = Profile(((CANNABIS, 2), (HEROIN, 1)), ("",), (("AF", "", "TR"),))

CONCEALMENTS = (
    "tea packaging",
    "vehicle compartment",
    "fruit container",
    "river boat hull",
    "luggage false bottom",
    "postal parcel",
    "body carry",
    "machinery parts",
    "rice sacks",
)
MODES = {
    "border_crossing": "road",
    "airport": "air",
    "seaport": "sea",
    "river_port": "river",
    "postal_hub": "postal",
    "inland": "road",
}


def _quantity(rng: random.Random, median: float, spread: float) -> float:
    value = median * math.exp(rng.gauss(0, spread))
    return round(value, 3) if value < 100 else round(value)


def load_demo_seizures(
    platform: Platform,
    session: Session,
    authors: dict[str, Actor],
    agencies: list[Agency],
    seed: int,
    count: int,
) -> None:
    """``count`` seizures over the last five years, spread over every agency and distribution level,
    plus the Safe Mekong operation (tagged seizures and aggregate results). Skipped when seizures exist."""
    if session.scalar(select(func.count(Seizure.id))):
        return
    rng = random.Random(seed * 7919)
    ports = {p.code: p for p in _ports()}
    today = next(iter(authors.values())).today
    op = _operation(platform, session, authors, today)
    mechanisms = _mechanisms_of(session, agencies)
    codes = [a.code for a in agencies if a.country]
    per_agency = max(1, count // max(1, len(codes)))
    for agency in agencies:
        if not agency.country or agency.code not in authors:
            continue
        profile = PROFILES.get(agency.country, DEFAULT)
        by_level: dict[str, list[list[str]]] = {"agency": [], "agencies": [], "mechanisms": [], "all": []}
        weights = [w for _, w in profile.lines]
        for n in range(per_agency):
            line = rng.choices(profile.lines, weights)[0][0]
            substance, unit, median, spread, form = line
            port_code = rng.choice(profile.ports)
            port = ports.get(port_code)
            kind = port.kind.value if port else "inland"
            origin, transit, destination = rng.choice(profile.routes)
            seized_on = today - timedelta(days=int(rng.triangular(0, 5 * 365, 0)))
            tag = ""
            if op is not None and agency.code in op[1] and op[2] <= seized_on <= op[3] and rng.random() < 0.7:
                tag = op[0]
            row = {
                "reference": f"{agency.code}-{seized_on.year}-{n:05d}",
                "seized_on": seized_on.isoformat(),
                "country": agency.country,
                "subdivision": rng.choice(profile.subdivisions) if profile.subdivisions and not port else "",
                "place": port.name if port else "",
                "location_type": kind,
                "port": port_code,
                "substance": substance,
                "quantity": str(_quantity(rng, median, spread)),
                "unit": unit,
                "purity_pct": str(round(rng.uniform(15, 85), 1)) if rng.random() < 0.3 else "",
                "form": form,
                "concealment": rng.choice(CONCEALMENTS),
                "transport_mode": MODES[kind],
                "origin_country": origin,
                "transit_countries": transit,
                "destination_country": destination,
                "suspects_arrested": str(rng.choice((0, 1, 1, 1, 2, 2, 3, 5))),
                "operation": tag,
                "narrative": "",
            }
            level = ("agency", "agencies", "mechanisms", "all")[n % 4]
            if level == "mechanisms" and not mechanisms.get(agency.code):
                level = "all"
            by_level[level].append([row.get(f, "") for f in FIELDS])
        author = authors[agency.code]
        neighbours = [c for c in codes if c != agency.code]
        for level, rows in by_level.items():
            if not rows:
                continue
            request = DistributionRequest(
                level,
                [rng.choice(neighbours)] if level == "agencies" else [],
                [mechanisms[agency.code][0]] if level == "mechanisms" else [],
            )
            buf = io.StringIO()
            w = csv.writer(buf)
            w.writerow(FIELDS)
            w.writerows(rows)
            outcome = platform.seizure_import.run(
                session,
                author,
                io.BytesIO(buf.getvalue().encode()),
                ImportOptions(filename=f"demo-{agency.code}-{level}.csv", distribution=request),
            )
            if not outcome.loaded:
                raise RuntimeError(f"demo seizures for {agency.code} refused: {outcome.errors[:3]}")
    if op is not None:
        _results(platform, session, authors, op[0])


def _ports() -> list[Port]:
    from interdict.domain.ports import ports

    return list(ports())


SAFE_MEKONG = ("SAFE-MEKONG", ("CN-NNCC", "LA-LCDC", "MM-CCDAC", "TH-ONCB", "KH-NACD", "VN-MPS-C04"))


def _operation(
    platform: Platform, session: Session, authors: dict[str, Actor], today: date
) -> tuple[str, tuple[str, ...], date, date] | None:
    code, members = SAFE_MEKONG
    if not all(m in authors for m in members):
        return None
    start = today - timedelta(days=150)
    end = today - timedelta(days=60)
    opcode = f"{code}-{start.year}"
    if session.scalar(select(Operation.id).where(Operation.code == opcode)) is None:
        platform.operations.create(
            session,
            authors[members[0]],
            OperationCreate(
                code=opcode,
                name=f"Safe Mekong joint operation {start.year}",
                description=(
                    "Joint operation of the Mekong countries against methamphetamine, heroin and precursor "
                    "trafficking along the Mekong river and its land borders."
                ),
                starts_on=start,
                ends_on=end,
                participants=list(members[1:]),
                target_substances=["methamphetamine", "heroin", "ketamine", "acetic_anhydride"],
                target_routes=["MM>TH", "MM>LA", "LA>VN", "MM>CN"],
            ),
        )
    return opcode, members, start, end


def _results(platform: Platform, session: Session, authors: dict[str, Actor], opcode: str) -> None:
    """Myanmar reports only aggregates; Thailand reports aggregates over and above what it tagged."""
    mm = replace(authors["MM-CCDAC"])
    platform.operations.report_results(
        session,
        mm,
        opcode,
        ResultsIn(
            lines=[
                ResultLineIn(substance="", cases=412, suspects_arrested=498),
                ResultLineIn(substance="methamphetamine", quantity=61_500_000, unit="tablets"),
                ResultLineIn(substance="heroin", quantity=310, unit="kg"),
                ResultLineIn(substance="acetic_anhydride", quantity=18_000, unit="l"),
            ]
        ),
    )
    platform.operations.report_results(
        session,
        authors["TH-ONCB"],
        opcode,
        ResultsIn(
            lines=[
                ResultLineIn(substance="", cases=950, suspects_arrested=1_104),
                ResultLineIn(substance="methamphetamine", quantity=9_800, unit="kg"),
            ]
        ),
    )
