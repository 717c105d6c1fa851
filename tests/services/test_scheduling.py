"""Control statuses, national-list imports and the scheduling-gap report (``services/scheduling*.py``),
on SQLite and PostgreSQL.

Agencies: TH-S (Thailand), LA-S (Laos), CN-S (China) are members of mechanism MEK; FR-S (France) is not;
SEC (no country) hosts the platform admin. The tests hold who may write which jurisdiction, the history
(a new status closes the one before; a decontrol ends control; a class-wide group control covers its
members; an EU member takes the EU's status), imports all or nothing with every bad row named and a
re-import changing nothing, and the gap matrix of a hand-built example, cell by cell, with evidence counted
only from what the caller may see.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from interdict.domain.errors import BadInputError, ForbiddenError, NotFoundError
from interdict.schemas.scheduling import ControlStatusCreate, GapReport
from interdict.schemas.seizures import SeizureCreate
from interdict.services.platform import Platform
from interdict.store.audit import AuditRow
from interdict.store.precursor_incidents import PrecursorIncident, PrecursorIncidentItem
from interdict.store.scheduling import ControlStatus
from tests.conftest import Clock
from tests.factories import Person, World

DATA = Path(__file__).parent.parent / "data"
TH, LA, CN, FR, SEC = "TH-S", "LA-S", "CN-S", "FR-S", "SEC"


class Scene:
    def __init__(self, world: World) -> None:
        self.w, self.p = world, world.p
        for code, country in ((TH, "TH"), (LA, "LA"), (CN, "CN"), (FR, "FR")):
            world.agency(code, country=country)
        world.agency(SEC, country=None, organisation="UNODC", kind="secretariat")  # type: ignore[arg-type]
        world.mechanism("MEK", [TH, LA, CN])
        self.th = world.user(TH, "analyst")
        self.th_reader = world.user(TH, "reader")
        self.la = world.user(LA, "analyst")
        self.cn = world.user(CN, "analyst")
        self.fr = world.user(FR, "analyst")
        self.admin = world.user(SEC, "platform_admin")

    def do(self, who: Person, fn: Callable[..., Any], *args: Any) -> Any:
        with self.p.db.unit() as s:
            return fn(s, self.w.actor(who), *args)

    def set(self, who: Person, **fields: Any) -> Any:
        data = ControlStatusCreate.model_validate({"source": "test", "schedule": "Cat 1", **fields})
        return self.do(who, self.p.scheduling.record, data)

    def status(self, substance: str, code: str | None = None, day: date | None = None) -> Any:
        with self.p.db.unit() as s:
            return self.p.scheduling.substance_status(s, substance, code, day, date(2026, 6, 1))

    def answer(self, substance: str, code: str, day: date) -> Any:
        with self.p.db.unit() as s:
            return self.p.scheduling.answer(s, substance, code, day)

    def load(self, who: Person, name: str, data: bytes | None = None) -> Any:
        raw = data if data is not None else (DATA / name).read_bytes()
        with self.p.db.unit() as s:
            return self.p.scheduling.import_file(s, self.w.actor(who), io.BytesIO(raw), name)

    def count(self) -> int:
        with self.p.db.unit() as s:
            return int(s.scalar(select(func.count(ControlStatus.id))) or 0)


@pytest.fixture
def scene(world: World) -> Scene:
    return Scene(world)


def test_new_status_closes_previous_and_history_is_kept(scene: Scene) -> None:
    first = scene.set(
        scene.th, substance="ketamine", jurisdiction="TH", schedule="Category 2", in_force="2010-01-01"
    )
    assert first.outcome == "added" and first.superseded is None
    second = scene.set(
        scene.th, substance="ketamine", jurisdiction="TH", schedule="Category 1", in_force="2022-06-09"
    )
    assert second.superseded == first.status.uuid
    again = scene.set(
        scene.th, substance="ketamine", jurisdiction="TH", schedule="Category 1", in_force="2022-06-09"
    )
    assert again.outcome == "unchanged" and scene.count() == 2
    out = scene.status("氯胺酮", "TH")  # any script
    [th] = out.jurisdictions
    assert [(h.schedule, h.in_force, h.until) for h in th.history] == [
        ("Category 2", date(2010, 1, 1), date(2022, 6, 9)),
        ("Category 1", date(2022, 6, 9), None),
    ]
    assert (th.on.controlled, th.on.schedule, th.on.since, th.on.basis) == (
        True, "Category 1", date(2022, 6, 9), "listing",
    )  # fmt: skip
    old = scene.answer("ketamine", "TH", date(2015, 1, 1))
    assert (old.schedule, old.since) == ("Category 2", date(2010, 1, 1))
    assert not scene.answer("ketamine", "TH", date(2009, 12, 31)).controlled
    with scene.p.db.unit() as s:
        rows = s.scalars(select(AuditRow).where(AuditRow.action == "scheduling.status")).all()
        assert [r.object_uuid for r in rows] == [first.status.uuid, second.status.uuid]
        assert all(r.actor_agency == TH for r in rows)


def test_decontrol_and_class_wide_control(scene: Scene) -> None:
    scene.set(
        scene.cn,
        substance="isotonitazene",
        jurisdiction="CN",
        schedule="Supplementary list",
        in_force="2020-01-01",
    )
    scene.set(
        scene.cn,
        substance="isotonitazene",
        jurisdiction="CN",
        decontrolled=True,
        schedule="",
        in_force="2021-01-01",
    )
    off = scene.answer("isotonitazene", "CN", date(2021, 6, 1))
    assert (off.controlled, off.decontrolled_since) == (False, date(2021, 1, 1))
    scene.set(scene.cn, group="nitazene", jurisdiction="CN", schedule="Class-wide", in_force="2022-01-01")
    on = scene.answer("isotonitazene", "CN", date(2023, 1, 1))
    assert (on.controlled, on.basis, on.since, on.schedule) == (True, "class", date(2022, 1, 1), "Class-wide")
    # every member of the group is covered, including one never listed on its own
    assert scene.answer("metonitazene", "CN", date(2023, 1, 1)).basis == "class"
    out = scene.status("isotonitazene")
    assert [j.jurisdiction for j in out.jurisdictions] == ["UN", "CN"]
    un, cn = out.jurisdictions
    assert un.on.controlled and un.on.basis == "convention" and un.history[0].in_force is None
    assert [(h.group, h.decontrolled) for h in cn.history] == [("", False), ("", True), ("nitazene", False)]


def test_eu_member_takes_the_eu_status_unless_it_has_its_own(scene: Scene) -> None:
    scene.set(
        scene.admin, substance="ephedrine", jurisdiction="EU", schedule="Category 1", in_force="2005-08-18"
    )
    a = scene.answer("ephedrine", "FR", date(2020, 1, 1))
    assert (a.controlled, a.via, a.schedule) == (True, "EU", "Category 1")
    scene.set(scene.fr, substance="ephedrine", jurisdiction="FR", schedule="Liste I", in_force="2010-01-01")
    mine = scene.answer("ephedrine", "FR", date(2020, 1, 1))
    assert (mine.via, mine.schedule) == ("", "Liste I")
    assert not scene.answer("ephedrine", "TH", date(2020, 1, 1)).controlled


@pytest.mark.parametrize(
    ("who", "jurisdiction", "message"),
    [
        pytest.param("th", "LA", "only for its own country \\(TH\\), not LA", id="other-country"),
        pytest.param("th_reader", "TH", "roles do not allow", id="reader"),
        pytest.param("th", "EU", "only a platform admin records the statuses of EU", id="regional"),
    ],
)
def test_who_may_not_write(scene: Scene, who: str, jurisdiction: str, message: str) -> None:
    with pytest.raises(ForbiddenError, match=message):
        scene.set(getattr(scene, who), substance="ketamine", jurisdiction=jurisdiction, in_force="2020-01-01")
    assert scene.count() == 0


def test_platform_admin_writes_any_country_but_nobody_writes_un(scene: Scene) -> None:
    assert (
        scene.set(scene.admin, substance="ketamine", jurisdiction="LA", in_force="2020-01-01").outcome
        == "added"
    )
    for who in (scene.admin, scene.th):
        with pytest.raises(BadInputError, match="UN is read-only"):
            scene.set(who, substance="ketamine", jurisdiction="UN", in_force="2020-01-01")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        pytest.param(
            {"substance": "no such drug"}, "substance", "unknown substance 'no such drug'", id="unknown"
        ),
        pytest.param({"substance": "china white"}, "substance", "ambiguous: it names heroin", id="ambiguous"),
        pytest.param(
            {"substance": "", "group": "bogus"}, "group", "unknown analogue group 'bogus'", id="group"
        ),
        pytest.param({"substance": "heroin", "group": "nitazene"}, "substance", "not both", id="both"),
        pytest.param({"jurisdiction": "XX"}, "jurisdiction", "unknown jurisdiction 'XX'", id="jurisdiction"),
        pytest.param({"schedule": ""}, "schedule", "schedule, table or category", id="no-schedule"),
        pytest.param({"source": ""}, "source", "where this status comes from", id="no-source"),
        pytest.param({"until": "2019-01-01"}, "until", "after in_force 2020-01-01", id="until"),
    ],
)
def test_bad_input_names_the_field(scene: Scene, fields: dict[str, str], field: str, message: str) -> None:
    data = {"substance": "heroin", "jurisdiction": "TH", "in_force": "2020-01-01", **fields}
    with pytest.raises(BadInputError) as e:
        scene.set(scene.admin, **data)
    assert message in e.value.errors[field] or message in e.value.detail
    assert scene.count() == 0


def test_same_date_different_status_is_refused(scene: Scene) -> None:
    scene.set(scene.th, substance="heroin", jurisdiction="TH", schedule="Category 1", in_force="1979-01-01")
    with pytest.raises(BadInputError, match="a status from 1979-01-01 is already recorded"):
        scene.set(
            scene.th, substance="heroin", jurisdiction="TH", schedule="Category 5", in_force="1979-01-01"
        )


# -- imports -------------------------------------------------------------------------------------------


def test_import_uk_list_then_reimport_changes_nothing(scene: Scene) -> None:
    first = scene.load(scene.admin, "scheduling_uk_precursors.csv")
    assert (first.rows, first.added, first.unchanged, first.superseded) == (6, 6, 0, 0)
    assert first.import_uuid is not None
    again = scene.load(scene.admin, "scheduling_uk_precursors.csv")
    assert (again.rows, again.added, again.unchanged, again.superseded, again.import_uuid) == (
        6,
        0,
        6,
        0,
        None,
    )
    assert scene.count() == 6
    cat = scene.answer("p2p", "GB", date(2024, 1, 1))
    assert (cat.schedule, cat.since) == ("Category 1", date(2005, 8, 18))
    [gb] = scene.status("acetone", "GB").jurisdictions
    assert (
        gb.history[0].import_uuid == first.import_uuid and gb.history[0].recorded_by == scene.admin.username
    )


def test_import_chinese_names_group_and_supersede(scene: Scene) -> None:
    out = scene.load(scene.cn, "scheduling_cn.csv")
    assert (out.rows, out.added, out.unchanged, out.superseded) == (5, 5, 0, 1)
    assert scene.answer("tramadol", "CN", date(2020, 1, 1)).schedule == "精神药品第一类"
    assert scene.answer("carfentanil", "CN", date(2020, 1, 1)).basis == "class"
    again = scene.load(scene.cn, "scheduling_cn.csv")
    assert (again.added, again.unchanged) == (0, 5)


def test_import_reports_every_bad_row_and_writes_nothing(scene: Scene) -> None:
    with pytest.raises(BadInputError) as e:
        scene.load(scene.admin, "scheduling_fr.csv")
    errors = e.value.errors
    assert "nothing was imported" in e.value.detail
    assert errors["row 2, column substance"].startswith("'Héroïne': unknown substance 'Héroïne'")
    assert "unknown substance 'Méphédrone'" in errors["row 4, column substance"]
    assert "ambiguous" in errors["row 6, column substance"]
    assert "expected a date as YYYY-MM-DD" in errors["row 7, column in_force"]
    assert set(errors) == {
        "row 2, column substance", "row 4, column substance", "row 6, column substance", "row 7, column in_force",
    }  # fmt: skip
    assert scene.count() == 0


def test_import_rows_that_clash_with_each_other_or_rights(scene: Scene) -> None:
    clash = (
        b"substance,jurisdiction,schedule,in_force,legal_reference,source\n"
        b"heroin,TH,Category 1,1979-01-01,Act,Gazette\n"
        b"heroin,TH,Category 2,1979-01-01,Act,Gazette\n"
        b"ketamine,TH,Category 2,2010-01-01,Act,Gazette\n"
    )
    with pytest.raises(BadInputError) as e:
        scene.load(scene.th, "clash.csv", clash)
    assert list(e.value.errors) == ["row 3, column in_force"]
    assert scene.count() == 0
    other = b"substance,jurisdiction,schedule,in_force,legal_reference,source\nheroin,LA,I,2000-01-01,Law,Gazette\n"
    with pytest.raises(ForbiddenError) as f:
        scene.load(scene.th, "la.csv", other)
    assert list(f.value.errors) == ["row 2, column jurisdiction"]
    missing = b"substance,jurisdiction,in_force\nheroin,TH,2000-01-01\n"
    with pytest.raises(BadInputError, match="no 'schedule' column"):
        scene.load(scene.th, "missing.csv", missing)


def test_import_xlsx_with_date_cells(scene: Scene, tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["substance", "jurisdiction", "schedule", "in_force", "legal_reference", "source", "until"])
    ws.append(
        ["50-36-2", "TH", "Category 2", datetime(1979, 4, 22), "Narcotics Act B.E. 2522", "Gazette", None]
    )
    ws.append(["ketamine", "TH", "Category 2", date(2010, 1, 1), "Notification", "Gazette", date(2022, 6, 9)])
    buf = io.BytesIO()
    wb.save(buf)
    out = scene.load(scene.th, "th.xlsx", buf.getvalue())
    assert (out.added, out.superseded) == (2, 0)
    assert scene.answer("cocaine", "TH", date(2000, 1, 1)).since == date(1979, 4, 22)
    assert not scene.answer("ketamine", "TH", date(2023, 1, 1)).controlled


# -- gaps ----------------------------------------------------------------------------------------------


def _seize(scene: Scene, who: Person, country: str, substance: str, qty: float, unit: str, dist: str) -> None:
    data = SeizureCreate.model_validate({
        "seized_on": "2026-03-01", "country": country, "distribution": dist,
        "items": [{"substance": substance, "quantity": qty, "unit": unit}],
    })  # fmt: skip
    with scene.p.db.unit() as s:
        scene.p.seizures.create(s, scene.w.actor(who), data)


def _incident(scene: Scene, who: Person, country: str, substance: str, kg: float, dist: str) -> None:
    actor = scene.w.actor(who)
    now = datetime(2026, 5, 1, tzinfo=UTC)
    with scene.p.db.unit() as s:
        inc = PrecursorIncident(
            uuid=str(uuid.uuid4()), distribution=dist, owner_agency_id=actor.agency_id, created_by_id=actor.user_id,
            updated_by_id=actor.user_id, created_at=now, updated_at=now, kind="stopped_shipment",
            occurred_on=date(2026, 4, 1), country=country, summary="Stopped shipment",
        )  # fmt: skip
        s.add(inc)
        s.flush()
        s.add(PrecursorIncidentItem(incident_id=inc.id, line=1, item_kind="chemical", substance=substance,
                                    quantity=kg, unit="kg", mass_kg=kg))  # fmt: skip


def _gaps(scene: Scene, who: Person, **kw: Any) -> GapReport:
    with scene.p.db.unit() as s:
        report: GapReport = scene.p.scheduling.gaps(s, scene.w.actor(who), "MEK", date(2026, 6, 1), **kw)
        return report


def test_gap_matrix_of_a_hand_built_example(scene: Scene) -> None:
    # ketamine: TH, CN; not LA -> gap. heroin: everywhere -> none. ephedrine: LA only -> gap.
    # fentanyl group: class-wide in CN, so carfentanil listed in TH only -> gap (CN class-wide, LA not).
    scene.set(scene.th, substance="ketamine", jurisdiction="TH", schedule="Category 2", in_force="2010-01-01")
    scene.set(scene.cn, substance="ketamine", jurisdiction="CN", schedule="Category I", in_force="2004-07-01")
    for who, code in ((scene.th, "TH"), (scene.la, "LA"), (scene.cn, "CN")):
        scene.set(who, substance="heroin", jurisdiction=code, schedule="I", in_force="2000-01-01")
    scene.set(scene.la, substance="ephedrine", jurisdiction="LA", schedule="Table 1", in_force="2015-01-01")
    scene.set(
        scene.cn, group="fentanyl_analogue", jurisdiction="CN", schedule="Class-wide", in_force="2019-05-01"
    )
    scene.set(
        scene.th, substance="carfentanil", jurisdiction="TH", schedule="Category 1", in_force="2018-01-01"
    )
    # evidence: ketamine seized in LA (shared with all) and in TH (agency-only by LA: TH may not see it)
    _seize(scene, scene.la, "LA", "ketamine", 12, "kg", "all")
    _seize(scene, scene.la, "LA", "ketamine", 3, "kg", "agency")
    _seize(scene, scene.th, "TH", "ketamine", 2, "kg", "agency")
    _incident(scene, scene.cn, "CN", "ephedrine", 500, "all")
    _incident(scene, scene.la, "LA", "ephedrine", 100, "agency")  # LA's own, unseen by TH

    report = _gaps(scene, scene.th)
    assert (report.jurisdictions, report.reference) == (["CN", "LA", "TH"], "UN")
    rows = {r.substance: r for r in report.rows}
    assert "heroin" not in rows
    assert [r.substance for r in report.rows][:2] == ["ketamine", "ephedrine"]  # evidence first: 2 > 1
    ket = rows["ketamine"]
    cells = {c.jurisdiction: c for c in ket.cells}
    assert list(cells) == ["UN", "CN", "LA", "TH"]
    assert not cells["UN"].controlled
    assert (cells["CN"].controlled, cells["CN"].schedule, cells["CN"].since, cells["CN"].basis) == (
        True, "Category I", date(2004, 7, 1), "listing",
    )  # fmt: skip
    assert not cells["LA"].controlled
    assert (cells["TH"].schedule, cells["TH"].since) == ("Category 2", date(2010, 1, 1))
    assert (ket.controlled_in, ket.not_controlled_in) == (["CN", "TH"], ["LA"])
    assert (ket.seizures, ket.seizure_kg) == (2, 14.0)  # the LA-shared one and TH's own; not LA's private one
    assert [(e.country, e.seizures, e.seizure_kg) for e in ket.evidence] == [("LA", 1, 12.0), ("TH", 1, 2.0)]
    eph = rows["ephedrine"]
    assert (eph.controlled_in, eph.incidents, eph.incident_kg) == (["LA"], 1, 500.0)
    assert {c.jurisdiction: c.controlled for c in eph.cells} == {
        "UN": True,
        "CN": False,
        "LA": True,
        "TH": False,
    }
    carf = {c.jurisdiction: c for c in rows["carfentanil"].cells}
    assert (carf["CN"].basis, carf["TH"].basis, carf["LA"].controlled) == ("class", "listing", False)
    # LA sees its own private seizure and incident as well
    la_rows = {r.substance: r for r in _gaps(scene, scene.la).rows}
    assert (la_rows["ketamine"].seizures, la_rows["ketamine"].seizure_kg) == (2, 15.0)
    assert la_rows["ephedrine"].incidents == 2
    # analogue groups: class-wide in CN since 2019, substance by substance in TH (1 listed), none in LA
    groups = {g.group: g for g in report.groups}
    fent = {c.jurisdiction: c for c in groups["fentanyl_analogue"].cells}
    assert (fent["CN"].class_wide, fent["CN"].since) == (True, date(2019, 5, 1))
    assert (fent["TH"].class_wide, fent["TH"].listed, fent["TH"].total) == (
        False,
        1,
        groups["fentanyl_analogue"].members,
    )
    assert (fent["LA"].class_wide, fent["LA"].listed) == (False, 0)


def test_gap_filters_and_refusals(scene: Scene) -> None:
    scene.set(scene.th, substance="ketamine", jurisdiction="TH", schedule="Category 2", in_force="2010-01-01")
    scene.set(scene.la, substance="ephedrine", jurisdiction="LA", schedule="Table 1", in_force="2015-01-01")
    only = _gaps(scene, scene.th, category="precursor")
    assert [r.substance for r in only.rows] == ["ephedrine"] and only.groups == []
    earlier = _gaps(scene, scene.th, category="precursor")
    assert earlier.period_from == date(2023, 6, 2)
    with scene.p.db.unit() as s:
        before = scene.p.scheduling.gaps(s, scene.w.actor(scene.th), "MEK", date(2012, 1, 1))
    assert [r.substance for r in before.rows] == ["ketamine"]
    with pytest.raises(BadInputError, match="category 'bogus' is not one of"):
        _gaps(scene, scene.th, category="bogus")
    with pytest.raises(NotFoundError, match="no mechanism 'MEK'"):
        _gaps(scene, scene.fr)  # not a member: the same answer as a mechanism that does not exist
    assert _gaps(scene, scene.admin).mechanism == "MEK"  # platform admins see every mechanism


def test_demo_statuses_leave_a_gap_the_demo_seizures_show(platform: Platform, clock: Clock) -> None:
    from interdict.services.auth import actor_for
    from interdict.services.context import system_actor
    from interdict.services.demo import load_demo
    from interdict.services.demo_scheduling import (
        CLASS_WIDE,
        ILLUSTRATIVE,
        demo_statuses,
        load_demo_scheduling,
    )
    from interdict.store.identity import User

    with platform.db.unit() as s:
        load_demo(platform, s, system_actor(clock()), reports=0, seizures=400)
    with platform.db.unit() as s:  # the demo loader recorded them already: a second run adds nothing
        admin = actor_for(
            system_actor(clock()),
            s.scalars(select(User).where(User.username == "int-unodc.platform-admin")).one(),
        )
        assert int(s.scalar(select(func.count(ControlStatus.id))) or 0) > 100
    with platform.db.unit() as s:
        assert load_demo_scheduling(platform, s, admin) == 0  # idempotent
        assert int(s.scalar(select(func.count(ControlStatus.id))) or 0) == len(demo_statuses())
        sources = set(s.scalars(select(ControlStatus.source)))
        report = platform.scheduling.gaps(s, admin, "MEKONG-MOU")
    assert sources - {ILLUSTRATIVE} == {source for *_, source in CLASS_WIDE}
    rows = {r.substance: r for r in report.rows}
    assert "heroin" not in rows
    ket = rows["ketamine"]
    assert set(ket.not_controlled_in) == {"KH", "LA"} and ket.seizures > 0
    assert report.rows[0].seizures + report.rows[0].incidents > 0
