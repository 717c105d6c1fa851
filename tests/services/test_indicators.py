"""Indicator values: provenance, revisions never overwritten, imports all-or-nothing with named faults."""

from __future__ import annotations

import io

import openpyxl
import pytest

from interdict.domain.errors import BadInputError, ForbiddenError, NotFoundError
from interdict.schemas.indicators import IndicatorValueCreate
from interdict.services.indicator_import import IndicatorImportOptions
from interdict.services.indicators import IndicatorFilters
from interdict.services.platform import Platform
from tests.factories import World


def _value(**kw: object) -> IndicatorValueCreate:
    base: dict[str, object] = {
        "indicator": "opium_poppy_cultivation", "area": "MM", "period": "2023", "value": 47_100,
        "source": "UNODC, Myanmar Opium Survey 2023", "source_table": "Table 1", "source_page": "7",
    }  # fmt: skip
    return IndicatorValueCreate.model_validate({**base, **kw})


def _import(platform: Platform, world: World, who: object, text: str | bytes, opts: IndicatorImportOptions,
            name: str = "table.csv"):  # type: ignore[no-untyped-def]  # fmt: skip
    data = text.encode() if isinstance(text, str) else text
    actor = world.actor(who)  # type: ignore[arg-type]
    with platform.db.unit() as s:
        return platform.indicator_import.run(s, actor, io.BytesIO(data), name, opts)


def test_revisions_are_kept_and_reads_take_the_latest(platform: Platform, world: World) -> None:
    world.agency("TH-A")
    analyst = world.user("TH-A", "analyst")
    actor = world.actor(analyst)
    with platform.db.unit() as s:
        first = platform.indicators.add(s, actor, _value())
        second = platform.indicators.add(s, actor, _value(value=47_000, source_page="9"))
        assert (first.revision, second.revision) == (1, 2)
    reader = world.actor(world.user("TH-A", "analyst"))
    with platform.db.unit() as s:
        latest = platform.indicators.latest(s, reader, IndicatorFilters(area="Myanmar"))
        assert [(r.value, r.revision, r.source_page) for r in latest] == [(47_000, 2, "9")]
        history = platform.indicators.history(s, reader, "opium_poppy_cultivation", "MM", "2023")
        assert [h.value for h in history] == [47_100, 47_000]
        pub = platform.indicators.public(s, history)
        assert pub[0].entered_by == analyst.username and pub[0].agency == "TH-A"
        with pytest.raises(NotFoundError):
            platform.indicators.history(s, reader, "opium_poppy_cultivation", "MM", "2019")


def test_units_converted_or_refused_and_range_checked(platform: Platform, world: World) -> None:
    world.agency("TH-A")
    a = world.actor(world.user("TH-A", "analyst"))
    with platform.db.unit() as s:
        row = platform.indicators.add(s, a, _value(value=471, unit="km2", low=450, high=500))
        assert (row.value, row.unit, row.low, row.high) == (47_100, "ha", 45_000, 50_000)
        assert (row.reported_value, row.reported_unit) == (471, "km2")
        with pytest.raises(BadInputError) as exc:
            platform.indicators.add(s, a, _value(unit="t"))
        assert "cannot be converted to ha" in exc.value.errors["unit"]
        with pytest.raises(BadInputError) as exc:
            platform.indicators.add(s, a, _value(low=50_000, high=60_000))
        assert "outside its range" in exc.value.errors["value"]
        with pytest.raises(BadInputError) as exc:
            platform.indicators.add(s, a, _value(indicator="opium cultivaton", area="Myanmarr"))
        assert "did you mean" in exc.value.errors["indicator"] and "Myanmar" in exc.value.errors["area"]


def test_readers_may_not_write(platform: Platform, world: World) -> None:
    world.agency("TH-A")
    admin = world.actor(world.user("TH-A", "agency_admin"))
    with platform.db.unit() as s, pytest.raises(ForbiddenError):
        platform.indicators.add(s, admin, _value())


LONG = """indicator,area,period,value,unit,source,source_page
opium_poppy_cultivation,MM,2022,40100,ha,UNODC Myanmar Opium Survey 2023,5
opium_poppy_cultivation,Myanmar,2023,471,km2,UNODC Myanmar Opium Survey 2023,5
opium_potential_production,LA,2015,176,tons,UNODC Southeast Asia Opium Survey 2015,12
opium_potential_production,LA,2015,180,t,UNODC Southeast Asia Opium Survey 2016,12
"""


def test_long_import_with_duplicates_as_revisions_and_idempotent(platform: Platform, world: World) -> None:
    world.agency("TH-A")
    a = world.user("TH-A", "analyst")
    out = _import(platform, world, a, LONG, IndicatorImportOptions())
    assert (out.rows, out.created, out.revised, out.unchanged) == (4, 4, 1, 0)
    again = _import(platform, world, a, LONG, IndicatorImportOptions())
    assert (again.created, again.unchanged) == (0, 4)  # every statement is already recorded
    actor = world.actor(a)
    with platform.db.unit() as s:
        hist = platform.indicators.history(s, actor, "opium_potential_production", "LA", "2015")
        assert [(h.value, h.import_row) for h in hist[:2]] == [(176, 4), (180, 5)]
        assert all(h.import_uuid for h in hist)


def test_bad_rows_named_and_nothing_written(platform: Platform, world: World) -> None:
    world.agency("TH-A")
    a = world.user("TH-A", "analyst")
    bad = LONG + (
        "opium poppy cultivaton,MM,2021,30200,ha,S,1\n"
        "opium_poppy_cultivation,Atlantis,2021,30200,ha,S,1\n"
        "opium_poppy_cultivation,MM,,30200,ha,S,1\n"
        "opium_poppy_cultivation,MM,2021,30200,t,S,1\n"
        "opium_poppy_cultivation,MM,2021,,ha,S,1\n"
    )
    with pytest.raises(BadInputError) as exc:
        _import(platform, world, a, bad, IndicatorImportOptions())
    errors = exc.value.errors
    assert "did you mean opium_poppy_cultivation" in errors["row 6, column indicator"]
    assert "unknown area 'Atlantis'" in errors["row 7, column area"]
    assert errors["row 8, column period"] == "the period is empty"
    assert "cannot be converted to ha" in errors["row 9, column unit"]
    assert errors["row 10, column value"] == "the value is empty"
    actor = world.actor(a)
    with platform.db.unit() as s:
        assert platform.indicators.latest(s, actor, IndicatorFilters()) == []


def test_wide_xlsx_with_mapping_and_empty_periods(platform: Platform, world: World) -> None:
    world.agency("TH-A")
    a = world.user("TH-A", "analyst")
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Country", "2019", "2020", "2021"])
    ws.append(["Myanmar", 33100, 29500, None])
    ws.append(["Lao PDR", None, None, 5000])
    buf = io.BytesIO()
    wb.save(buf)
    opts = IndicatorImportOptions(
        layout="wide", mapping={"area": "Country"},
        constants={"indicator": "opium_poppy_cultivation", "source": "UNODC surveys"},
    )  # fmt: skip
    out = _import(platform, world, a, buf.getvalue(), opts, "wide.xlsx")
    assert (out.created, out.empty) == (3, 3)
    actor = world.actor(a)
    with platform.db.unit() as s:
        rows = platform.indicators.latest(s, actor, IndicatorFilters(indicator="opium_poppy_cultivation"))
        assert sorted((r.area, r.period, r.value) for r in rows) == [
            ("LA", "2021", 5000), ("MM", "2019", 33100), ("MM", "2020", 29500)
        ]


def test_mapping_naming_a_missing_header_is_refused(platform: Platform, world: World) -> None:
    world.agency("TH-A")
    a = world.user("TH-A", "analyst")
    with pytest.raises(BadInputError) as exc:
        _import(platform, world, a, LONG, IndicatorImportOptions(mapping={"area": "CountryCode"}))
    assert "no such header" in next(iter(exc.value.errors.values()))
