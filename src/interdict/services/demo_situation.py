"""The demo world's situation figures: indicator series with their sources, and planted signals.

* Annual seizures 2012-2016 of fourteen Asian countries, imported from the package's extract of the
  UNODC annual seizures table (``data/unodc_seizures_2012_2016_asia.csv``; rows of one country, year and
  drug summed) through the ordinary long-layout importer with a mapping.
* Opium poppy cultivation and potential opium production of Afghanistan, Myanmar and the Lao PDR as
  published by UNODC's opium surveys (figures for the years named in ``PUBLISHED``), and plausible
  monthly series of cases and arrests around China's published totals, marked as demo figures.
* Planted in the seizures: methamphetamine seized in China and Thailand moving from the Myanmar route
  to the Laos route eleven months before today (a route shift), and protonitazene first seized in
  Thailand three months ago (an emerging substance). ``tests/services/test_demo_situation.py`` checks
  that the signals find both.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta
from importlib import resources

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interdict.schemas.indicators import IndicatorValueCreate
from interdict.services.context import Actor
from interdict.services.indicator_import import IndicatorImportOptions
from interdict.services.indicators import check_value
from interdict.services.platform import Platform
from interdict.services.seizure_import import FIELDS, ImportOptions
from interdict.services.sharing import DistributionRequest
from interdict.store.indicators import IndicatorValue

UNODC_FILE = "unodc_seizures_2012_2016_asia.csv"
UNODC_SOURCE = "UNODC, World Drug Report statistical annex: annual drug seizures 2012-2016 (kg equivalent)"
UNODC_DRUGS = {
    "Heroin": "seizures_heroin",
    "Opium": "seizures_opium",
    "Illicit morphine": "seizures_morphine",
    "Methamphetamine": "seizures_methamphetamine",
    "Marijuana (herb)": "seizures_cannabis",
    "Hashish (resin)": "seizures_cannabis",
    "Cocaine salts": "seizures_cocaine",
    "Ecstasy-type substances": "seizures_mdma",
    "Ketamine and phencyclidine-type substances": "seizures_ketamine",
}
AF = "UNODC and Ministry of Counter Narcotics, Afghanistan Opium Survey {y}"
MM = "UNODC, Myanmar Opium Survey {y}"
LA = "UNODC, Southeast Asia Opium Survey {y}"
# (indicator, area, year, value, source template). Cultivation in ha, production in t.
PUBLISHED: tuple[tuple[str, str, int, float, str], ...] = (
    ("opium_poppy_cultivation", "AF", 2016, 201_000, AF),
    ("opium_poppy_cultivation", "AF", 2017, 328_000, AF),
    ("opium_poppy_cultivation", "AF", 2021, 177_000, AF),
    ("opium_potential_production", "AF", 2016, 4_800, AF),
    ("opium_potential_production", "AF", 2017, 9_000, AF),
    ("opium_potential_production", "AF", 2021, 6_800, AF),
    ("opium_poppy_cultivation", "MM", 2020, 29_500, MM),
    ("opium_poppy_cultivation", "MM", 2023, 47_100, MM),
    ("opium_potential_production", "MM", 2020, 405, MM),
    ("opium_potential_production", "MM", 2023, 1_080, MM),
    ("opium_poppy_cultivation", "LA", 2015, 5_700, LA),
    ("opium_potential_production", "LA", 2015, 176, LA),
)
DEMO_SOURCE = "Interdict demo world: plausible figures, not published statistics"


def load_demo_situation(platform: Platform, session: Session, authors: dict[str, Actor], seed: int = 1) -> None:
    """Indicators and planted seizures; skipped when indicator values exist."""
    if session.scalar(select(func.count(IndicatorValue.id))):
        return
    author = authors.get("INT-UNODC") or next(iter(authors.values()))
    load_unodc_seizures(platform, session, author)
    _published(platform, session, author)
    _demo_series(platform, session, author, random.Random(seed * 31))
    plant_signals(platform, session, authors, author.today, random.Random(seed * 37))


def load_unodc_seizures(platform: Platform, session: Session, author: Actor) -> None:
    data = resources.files("interdict.data").joinpath(UNODC_FILE).read_bytes()
    # Herb and resin are both "cannabis": sum them into one figure per country and year first.
    rows = list(csv.DictReader(io.StringIO(data.decode()), delimiter=";"))
    acc: dict[tuple[str, str, str], float] = {}
    for r in rows:
        key = (r["CountryCode"], r["Year"], UNODC_DRUGS[r["Drug"]])
        acc[key] = acc.get(key, 0.0) + float(r["KgEquivalent"])
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";")
    w.writerow(["CountryCode", "Year", "Indicator", "KgEquivalent"])
    for (country, year, ind), kg in sorted(acc.items()):
        w.writerow([country, year, ind, round(kg, 3)])
    platform.indicator_import.run(
        session,
        author,
        io.BytesIO(buf.getvalue().encode()),
        UNODC_FILE,
        IndicatorImportOptions(
            layout="long",
            mapping={"area": "CountryCode", "period": "Year", "indicator": "Indicator", "value": "KgEquivalent"},
            constants={"source": UNODC_SOURCE, "unit": "kg", "note": "herb and resin summed as cannabis"},
        ),
    )


def _published(platform: Platform, session: Session, author: Actor) -> None:
    for ind, area, year, value, source in PUBLISHED:
        data = IndicatorValueCreate(indicator=ind, area=area, period=str(year), value=value,
                                    source=source.format(y=year))  # fmt: skip
        platform.indicators.store(session, author, check_value(data), None, None, None)


def _demo_series(platform: Platform, session: Session, author: Actor, rng: random.Random) -> None:
    """Monthly cases and arrests for China over three years, around about 6,000 cases a month
    (the published "about 860,000 cases since 2012" over some twelve years)."""
    today = author.today
    for back in range(36, 0, -1):
        idx = today.year * 12 + today.month - 1 - back
        period = f"{idx // 12:04d}-{idx % 12 + 1:02d}"
        cases = round(6_000 * rng.uniform(0.85, 1.15))
        for ind, value in (("drug_cases", cases), ("persons_arrested", round(cases * rng.uniform(1.2, 1.4)))):
            data = IndicatorValueCreate(indicator=ind, area="CN", period=period, value=value, source=DEMO_SOURCE)
            platform.indicators.store(session, author, check_value(data), None, None, None)


def _row(ref: str, day: date, country: str, substance: str, qty: float, unit: str, origin: str, dest: str) -> list[str]:
    values = {
        "reference": ref, "seized_on": day.isoformat(), "country": country, "location_type": "border_crossing",
        "substance": substance, "quantity": f"{qty:.1f}", "unit": unit, "origin_country": origin,
        "destination_country": dest,
    }  # fmt: skip
    return [values.get(f, "") for f in FIELDS]


def planted_rows(agency: str, country: str, today: date, rng: random.Random) -> list[list[str]]:
    """Three years of methamphetamine seizures at ``country``'s borders: about 80% from Myanmar until
    eleven months ago, then about 70% from the Lao PDR; and protonitazene from three months ago."""
    rows: list[list[str]] = []
    shift = today - timedelta(days=335)
    for n in range(36 * 8):
        day = today - timedelta(days=int(rng.uniform(0, 36 * 30.4)))
        from_laos = rng.random() < (0.7 if day >= shift else 0.2)
        origin = "LA" if from_laos else "MM"
        kg = rng.lognormvariate(3, 1)
        rows.append(_row(f"{agency}-EW-{n:05d}", day, country, "methamphetamine", kg, "kg", origin, country))
    for n in range(8):
        day = today - timedelta(days=int(rng.uniform(1, 85)))
        rows.append(_row(f"{agency}-NZ-{n:03d}", day, country, "protonitazene", rng.uniform(5, 200), "g", "", country))
    return rows


def plant_signals(
    platform: Platform, session: Session, authors: dict[str, Actor], today: date, rng: random.Random
) -> None:
    for agency, country in (("TH-ONCB", "TH"), ("CN-NNCC", "CN")):
        if agency not in authors:
            continue
        rows = planted_rows(agency, country, today, rng)
        if country != "TH":
            rows = [r for r in rows if "protonitazene" not in r]
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(FIELDS)
        w.writerows(rows)
        outcome = platform.seizure_import.run(
            session,
            authors[agency],
            io.BytesIO(buf.getvalue().encode()),
            ImportOptions(filename=f"demo-signals-{agency}.csv", distribution=DistributionRequest("all", [], [])),
        )
        if not outcome.loaded:
            raise RuntimeError(f"planted seizures for {agency} refused: {outcome.errors[:3]}")
