"""Precursor incidents (``services/precursor_incidents.py``), on SQLite and PostgreSQL.

Agencies: OWN reports; NAMED is named in distributions; MEM shares the mechanism MK with OWN; OUT has no
part; PDP has a personal-data agreement with OWN. The tests hold who sees an incident (outsiders get the
"not found" of a missing one), that seized chemicals are also a seizure record that the seizure statistics
count under the incident's distribution (thefts and diversions never), that a bad input leaves nothing
behind, the owner-only distribution change that the seizure follows, the link to a notification only
where the caller may see it, the incident statistics over visible incidents, and an audit row for every
write and foreign read.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from interdict.domain.errors import BadInputError, ConflictError, ForbiddenError, NotFoundError
from interdict.schemas.common import DistributionChange
from interdict.schemas.precursor_incidents import PrecursorIncidentCreate
from interdict.services.platform import Platform
from interdict.services.seizure_stats import StatsQuery
from interdict.store.audit import AuditRow
from interdict.store.pen import PreExportNotification
from interdict.store.precursor_incidents import PrecursorIncident, PrecursorIncidentItem
from interdict.store.records import RecordShare
from interdict.store.seizures import Seizure, SeizureItem
from tests.factories import Person, World

OWN, NAMED, MEM, OUT, PDP = "PI-OWN", "PI-NAMED", "PI-MEM", "PI-OUT", "PI-PDP"


class Scene:
    def __init__(self, world: World) -> None:
        for code in (OWN, NAMED, MEM, OUT, PDP):
            world.agency(code)
        world.mechanism("MK", [OWN, MEM])
        world.agreement(agencies=[OWN, PDP])
        self.w, self.p = world, world.p
        self.people = {c: world.user(c, "analyst") for c in (OWN, NAMED, MEM, OUT, PDP)}
        self.reader = world.user(OWN, "reader")

    def __call__(self, agency: str) -> Person:
        return self.people[agency]

    def do(self, who: Person, fn: Callable[..., Any], *args: Any) -> Any:
        with self.p.db.unit() as s:
            return fn(s, self.w.actor(who), *args)

    def create(self, who: Person | None = None, **fields: Any) -> str:
        data = PrecursorIncidentCreate.model_validate(body(**fields))
        with self.p.db.unit() as s:
            actor = self.w.actor(who or self(OWN))
            return str(self.p.precursor_incidents.create(s, actor, data).uuid)

    def public(self, who: Person, ref: str) -> Any:
        with self.p.db.unit() as s:
            actor = self.w.actor(who)
            svc = self.p.precursor_incidents
            return svc.public_page(s, actor, [svc.get(s, actor, ref)])[0]

    def counts(self) -> tuple[int, ...]:
        with self.p.db.unit() as s:
            return tuple(
                int(s.scalar(select(func.count()).select_from(m)) or 0)
                for m in (PrecursorIncident, PrecursorIncidentItem, Seizure, SeizureItem, RecordShare)
            )

    def seizure_kg(self, who: Person) -> float:
        with self.p.db.unit() as s:
            return float(self.p.stats.run(s, self.w.actor(who), StatsQuery(("substance",))).total_mass_kg)


def body(**fields: Any) -> dict[str, Any]:
    return {
        "kind": "precursor_seizure",
        "occurred_on": "2026-03-02",
        "country": "LA",
        "summary": "APAAN declared as fertiliser at a river port",
        "chemicals": [{"substance": "APAAN", "quantity": 250, "unit": "kg"}],
        **fields,
    }


@pytest.fixture
def scene(world: World) -> Scene:
    return Scene(world)


def test_seized_chemicals_become_a_seizure_counted_under_the_incident_sharing(scene: Scene) -> None:
    ref = scene.create(
        distribution="agencies",
        agencies=[NAMED],
        chemicals=[
            {"substance": "1-phenyl-2-propanone", "quantity": 100, "unit": "l"},
            {"substance": "ephedrine", "quantity": 40, "unit": "kg"},
        ],
        equipment=[{"equipment": "tableting_machine", "count": 2}],
    )
    mine = scene.public(scene(OWN), ref)
    own_id = scene.w.agency_id(OWN)
    assert mine.seizure_uuid is not None and mine.total_mass_kg == pytest.approx(141.0)
    assert mine.equipment_units == 2
    with scene.p.db.unit() as s:
        seizure = s.scalars(select(Seizure).where(Seizure.uuid == mine.seizure_uuid)).one()
        assert (seizure.distribution, seizure.country, seizure.seized_on) == (
            "agencies",
            "LA",
            date(2026, 3, 2),
        )
        assert ref in seizure.narrative
        assert seizure.owner_agency_id == own_id
    assert scene.seizure_kg(scene(OWN)) == pytest.approx(141.0)
    assert scene.seizure_kg(scene(NAMED)) == pytest.approx(141.0)
    assert scene.seizure_kg(scene(OUT)) == 0
    assert scene.seizure_kg(scene(MEM)) == 0
    assert scene.public(scene(NAMED), ref).seizure_uuid == mine.seizure_uuid


@pytest.mark.parametrize("kind", ["theft", "diversion", "suspicious_order"])
def test_nothing_seized_writes_no_seizure(scene: Scene, kind: str) -> None:
    ref = scene.create(kind=kind, distribution="all")
    assert scene.public(scene(OWN), ref).seizure_uuid is None
    assert scene.seizure_kg(scene(OUT)) == 0
    with scene.p.db.unit() as s:
        assert s.scalar(select(func.count()).select_from(Seizure)) == 0


@pytest.mark.parametrize(
    ("fields", "word"),
    [
        pytest.param(
            {
                "chemicals": [
                    {"substance": "APAAN", "quantity": 250, "unit": "kg"},
                    {"substance": "ephedrine", "quantity": 3, "unit": "plants"},
                ]
            },
            "line 2",
            id="bad-second-line",
        ),
        pytest.param({"distribution": "agencies", "agencies": ["NOPE"]}, "NOPE", id="unknown-agency"),
        pytest.param({"notification": str(uuid.uuid4())}, "no notification", id="missing-notification"),
        pytest.param({"kind": "theft", "chemicals": []}, "needs at least one", id="theft-without-lines"),
    ],
)
def test_bad_input_writes_nothing(scene: Scene, fields: dict[str, Any], word: str) -> None:
    before = scene.counts()
    with pytest.raises(BadInputError) as exc:
        scene.create(**fields)
    assert word in str(exc.value)
    assert scene.counts() == before


def test_who_sees_an_incident(scene: Scene) -> None:
    named = scene.create(distribution="agencies", agencies=[NAMED])
    mech = scene.create(distribution="mechanisms", mechanisms=["MK"])
    personal = scene.create(distribution="all", contains_personal_data=True)
    own_only = scene.create()

    def sees(agency: str, ref: str) -> bool:
        try:
            scene.do(scene(agency), scene.p.precursor_incidents.get, ref)
            return True
        except NotFoundError as exc:
            assert str(exc) == f"no precursor incident {ref!r}"  # exactly the words for a missing one
            return False

    assert [sees(a, named) for a in (OWN, NAMED, MEM, OUT)] == [True, True, False, False]
    assert [sees(a, mech) for a in (OWN, NAMED, MEM, OUT)] == [True, False, True, False]
    assert [sees(a, personal) for a in (OWN, PDP, NAMED, OUT)] == [True, True, False, False]
    assert [sees(a, own_only) for a in (OWN, NAMED, MEM, OUT)] == [True, False, False, False]
    missing = str(uuid.uuid4())
    with pytest.raises(NotFoundError, match=f"no precursor incident '{missing}'"):
        scene.do(scene(OUT), scene.p.precursor_incidents.get, missing)
    from interdict.services.precursor_incidents import IncidentFilters

    rows, _ = scene.do(scene(OUT), scene.p.precursor_incidents.list, IncidentFilters(), 50, 0)
    assert rows == []
    rows, _ = scene.do(scene(MEM), scene.p.precursor_incidents.list, IncidentFilters(), 50, 0)
    assert [r.uuid for r in rows] == [mech]


def test_filters(scene: Scene) -> None:
    from interdict.services.precursor_incidents import IncidentFilters

    a = scene.create(occurred_on="2025-05-01", country="TH")
    b = scene.create(kind="theft", chemicals=[{"substance": "acetic anhydride", "quantity": 5, "unit": "l"}])
    svc = scene.p.precursor_incidents

    def uuids(f: IncidentFilters) -> list[str]:
        return [r.uuid for r in scene.do(scene(OWN), svc.list, f, 50, 0)[0]]

    assert uuids(IncidentFilters()) == [b, a]
    assert uuids(IncidentFilters(kind="theft")) == [b]
    assert uuids(IncidentFilters(country="th")) == [a]
    assert uuids(IncidentFilters(substance="acetic_anhydride")) == [b]
    assert uuids(IncidentFilters(substance="APAAN")) == [a]
    assert uuids(IncidentFilters(date_to=date(2025, 12, 31))) == [a]


def test_distribution_change_is_the_owners_and_the_seizure_follows(scene: Scene) -> None:
    ref = scene.create(handling_conditions=["no_onward_sharing"])
    seizure = scene.public(scene(OWN), ref).seizure_uuid
    svc = scene.p.precursor_incidents
    change = DistributionChange(distribution="agencies", agencies=[NAMED], reason="joint case")
    with pytest.raises(NotFoundError):
        scene.do(scene(NAMED), svc.change_distribution, ref, change)
    scene.do(scene(OWN), svc.change_distribution, ref, change)
    with pytest.raises(ForbiddenError):
        scene.do(scene(NAMED), svc.change_distribution, ref, change)
    assert scene.public(scene(NAMED), ref).seizure_uuid == seizure
    assert scene.seizure_kg(scene(NAMED)) == pytest.approx(250)
    with scene.p.db.unit() as s:
        row = s.scalars(select(Seizure).where(Seizure.uuid == seizure)).one()
        assert row.distribution == "agencies" and row.handling_conditions == ["no_onward_sharing"]
        actions = s.execute(
            select(AuditRow.object_type, AuditRow.action).where(AuditRow.action == "record.distribution")
        ).all()
    assert sorted(actions) == [
        ("precursor_incident", "record.distribution"),
        ("seizure", "record.distribution"),
    ]


def add_notification(scene: Scene, owner: str, named: list[str]) -> PreExportNotification:
    """A notification row as the PEN service stores one (only the columns this test needs filled)."""
    owner_id = scene.w.agency_id(owner)
    named_ids = [scene.w.agency_id(code) for code in named]
    user = scene(owner).user_id
    now = scene.w.clock()
    with scene.p.db.unit() as s:
        n = PreExportNotification(
            uuid=str(uuid.uuid4()),
            reference=f"PEN-CN-2026-{uuid.uuid4().int % 1_000_000:06d}",
            exporting_country="CN",
            importing_country="LA",
            importing_agency_id=named_ids[0] if named else owner_id,
            exporter="Example Chemical Trading Co.",
            importer="Fictional Agro Supplies",
            substance="apaan",
            quantity=250,
            unit="kg",
            mass_kg=250,
            ship_date=date(2026, 2, 20),
            notified_at=now,
            answer_due=date(2026, 3, 5),
            state="notified",
            owner_agency_id=owner_id,
            distribution="agencies" if named else "agency",
            created_at=now,
            updated_at=now,
            created_by_id=user,
            updated_by_id=user,
        )
        s.add(n)
        s.flush()
        for agency_id in named_ids:
            s.add(RecordShare(record_uuid=n.uuid, target_kind="agency", target_id=agency_id))
        s.expunge(n)
        return n


def test_notification_link_only_where_the_caller_sees_it(scene: Scene) -> None:
    seen = add_notification(scene, NAMED, [OWN])
    hidden = add_notification(scene, NAMED, [])
    before = scene.counts()
    for ref in (hidden.uuid, hidden.reference):
        with pytest.raises(BadInputError) as exc:
            scene.create(notification=ref)
        assert str(exc.value) == f"no notification {ref!r}"
    assert scene.counts() == before
    ref = scene.create(notification=seen.reference, distribution="all")
    assert scene.public(scene(OWN), ref).notification == seen.reference
    assert scene.public(scene(NAMED), ref).notification_uuid == seen.uuid
    out = scene.public(scene(OUT), ref)  # sees the incident, not the notification
    assert out.notification is None and out.notification_uuid is None


def test_duplicate_reference_and_reader_are_refused(scene: Scene) -> None:
    scene.create(reference="LA-PI-1")
    before = scene.counts()
    with pytest.raises(ConflictError, match="LA-PI-1"):
        scene.create(reference="LA-PI-1")
    with pytest.raises(ForbiddenError):
        scene.create(scene.reader)
    assert scene.counts() == before
    scene.create(scene(NAMED), reference="LA-PI-1")  # another agency's reference is its own


def test_stats_count_visible_incidents_only(scene: Scene) -> None:
    scene.create(
        distribution="all",
        methods=["front_company", "false_declaration"],
        equipment=[{"equipment": "tableting_machine", "count": 3}],
    )
    scene.create(
        kind="theft", country="TH", chemicals=[{"substance": "ephedrine", "quantity": 10, "unit": "kg"}]
    )
    svc = scene.p.precursor_incidents
    mine = scene.do(scene(OWN), svc.stats, "kind")
    assert mine.total_incidents == 2 and mine.total_mass_kg == pytest.approx(260)
    assert {r.key: r.incidents for r in mine.rows} == {"precursor_seizure": 1, "theft": 1}
    theirs = scene.do(scene(OUT), svc.stats, "equipment")
    assert theirs.total_incidents == 1 and theirs.total_equipment_units == 3
    assert [(r.key, r.label, r.equipment_units) for r in theirs.rows] == [
        ("tableting_machine", "Tableting machine (pill press)", 3)
    ]
    methods = scene.do(scene(OUT), svc.stats, "method")
    assert {r.key for r in methods.rows} == {"front_company", "false_declaration"}
    by_country = scene.do(scene(OWN), svc.stats, "country", date(2026, 1, 1), date(2026, 12, 31))
    assert {r.key: r.label for r in by_country.rows} == {
        "LA": "Lao People's Democratic Republic",
        "TH": "Thailand",
    }
    with pytest.raises(BadInputError, match="'colour'"):
        scene.do(scene(OWN), svc.stats, "colour")


def test_every_write_and_foreign_read_is_audited(scene: Scene) -> None:
    ref = scene.create(distribution="all")
    scene.public(scene(OUT), ref)
    scene.public(scene(OWN), ref)
    with scene.p.db.unit() as s:
        rows = s.execute(
            select(AuditRow.actor_agency, AuditRow.action, AuditRow.object_type).where(
                AuditRow.object_type.in_(["precursor_incident", "seizure"])
            )
        ).all()
    assert sorted(rows) == [
        (OUT, "record.read", "precursor_incident"),
        (OWN, "record.create", "precursor_incident"),
        (OWN, "record.create", "seizure"),
    ]


def test_platform_wires_the_service(platform: Platform) -> None:
    assert platform.precursor_incidents.seizures is platform.seizures


def test_demo_incidents_load_once_with_every_kind(world: World) -> None:
    from interdict.domain.precursor_incidents import IncidentKind
    from interdict.services.demo_precursor_incidents import INCIDENTS, load_demo_precursor_incidents

    codes = sorted({i.agency for i in INCIDENTS} | {"CN-NNCC", "TH-ONCB", "LA-LCDC", "KH-NACD"})
    for code in codes:
        world.agency(code)
    world.mechanism("MEKONG-MOU", ["CN-NNCC", "LA-LCDC", "MM-CCDAC", "TH-ONCB", "KH-NACD", "VN-MPS-C04"])
    world.mechanism("ASOD-CN", ["KH-NACD", "LA-LCDC", "MM-CCDAC", "TH-ONCB", "VN-MPS-C04", "CN-NNCC"])
    world.mechanism("SCO", ["CN-NNCC", "KZ-MVD", "IN-NCB"])
    people = {code: world.user(code) for code in codes}
    authors = {code: world.actor(person) for code, person in people.items()}
    with world.p.db.unit() as s:
        assert load_demo_precursor_incidents(world.p, s, authors) == len(INCIDENTS)
    with world.p.db.unit() as s:
        assert load_demo_precursor_incidents(world.p, s, authors) == 0
        kinds = set(s.scalars(select(PrecursorIncident.kind)))
        seizures = s.scalar(select(func.count()).select_from(Seizure))
    assert kinds == {k.value for k in IncidentKind}
    assert seizures == sum(
        1 for i in INCIDENTS if i.chemicals and i.kind in ("precursor_seizure", "stopped_shipment")
    )
    with world.p.db.unit() as s:
        th = world.p.precursor_incidents.stats(s, authors["TH-ONCB"], "equipment")
        kg = world.p.stats.run(s, authors["TH-ONCB"], StatsQuery(("substance",)))
    assert {r.key for r in th.rows} >= {"tableting_machine", "encapsulating_machine"}
    assert {r.key["substance"] for r in kg.rows} >= {"p2p", "apaan", "pmk_glycidate"}
