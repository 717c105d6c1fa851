"""Pre-export notifications through the service (services/pen.py), on SQLite and PostgreSQL: who sees and
who acts, bad input, duplicates, late answers, shipments without answer, reminders, sharing further."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from interdict.domain.errors import BadInputError, ConflictError, ForbiddenError, NotFoundError
from interdict.domain.quantities import QuantityError
from interdict.schemas.pen import (
    AnswerIn,
    ArrivalIn,
    InformationIn,
    PenCreate,
    PenSharingIn,
    ShipmentIn,
    WithdrawalIn,
)
from interdict.services.platform import Platform
from interdict.store.audit import AuditRow
from interdict.store.pen import PenEvent, PreExportNotification
from tests.conftest import Clock
from tests.factories import Person, World


@dataclass
class Pen:
    w: World
    clock: Clock
    cn: Person  # exporting authority's analyst
    th: Person  # importing authority
    sg: Person  # transit authority
    us: Person  # a stranger
    th_other: Person  # another Thai agency, not the authority
    th_reader: Person

    @property
    def p(self) -> Platform:
        return self.w.p

    def notify(self, person: Person | None = None, **fields: Any) -> PreExportNotification:
        body = {
            "importing_country": "TH",
            "exporter": "Example Fine Chemicals Co. (fictitious)",
            "importer": "Sample Import Trading Ltd (fictitious)",
            "substance": "acetic_anhydride",
            "quantity": 2000,
            "unit": "kg",
            "route": [{"country": "SG", "place": "Jurong", "mode": "sea", "free_trade_zone": True}],
            "ship_date": "2026-06-20",
            "order_reference": "PO-1",
            **fields,
        }
        with self.p.db.unit() as s:
            return self.p.pen.create(s, self.w.actor(person or self.cn), PenCreate.model_validate(body))

    def call(self, person: Person, method: str, ref: str, data: Any) -> PreExportNotification:
        with self.p.db.unit() as s:
            n: PreExportNotification = getattr(self.p.pen, method)(s, self.w.actor(person), ref, data)
            return n

    def show(self, person: Person, ref: str) -> Any:
        with self.p.db.unit() as s:
            actor = self.w.actor(person)
            return self.p.pen.public(s, actor, self.p.pen.get(s, actor, ref))


@pytest.fixture
def pen(world: World, clock: Clock) -> Pen:
    for code, country in (("CN-A", "CN"), ("TH-A", "TH"), ("SG-A", "SG"), ("US-A", "US"), ("TH-B", "TH")):
        world.agency(code, country=country)
    with world.p.db.unit() as s:
        for country, code in (("CN", "CN-A"), ("TH", "TH-A"), ("SG", "SG-A"), ("US", "US-A")):
            world.p.pen.designate(s, world.console(), country, code)
    return Pen(
        world,
        clock,
        world.user("CN-A"),
        world.user("TH-A"),
        world.user("SG-A"),
        world.user("US-A"),
        world.user("TH-B"),
        world.user("TH-A", "reader"),
    )


def test_notify_records_everything(pen: Pen) -> None:
    n = pen.notify(
        route=[
            {"country": "SG", "place": "Jurong", "mode": "sea", "free_trade_zone": True},
            {"country": "MY", "place": "Port Klang", "mode": "sea"},
        ]
    )
    assert n.reference == "PEN-CN-2026-000001"
    assert (n.state, n.answer_due, n.mass_kg) == ("awaiting_answer", date(2026, 6, 16), 2000.0)
    assert n.transit_countries == ["SG", "MY"]
    out = pen.show(pen.cn, n.uuid)
    assert out.importing_authority == "TH-A"
    assert [(t.country, t.agency) for t in out.transit_authorities] == [("SG", "SG-A"), ("MY", None)]
    assert out.warnings == ["transit country MY has no designated competent authority; it was not notified"]
    assert (out.sharing.distribution.value, out.sharing.agencies) == ("agencies", ["SG-A", "TH-A"])
    assert pen.notify(order_reference="PO-2").reference == "PEN-CN-2026-000002"
    with pen.p.db.unit() as s:
        assert [e.event for e in s.scalars(select(PenEvent).where(PenEvent.notification_id == n.id))] == [
            "notified"
        ]
        actions = [r.action for r in s.scalars(select(AuditRow).where(AuditRow.object_uuid == n.uuid))]
    assert "pen.notify" in actions


def test_only_the_two_authorities_and_transit_see_it(pen: Pen) -> None:
    n = pen.notify()
    for person in (pen.cn, pen.th, pen.sg):
        assert pen.show(person, n.reference).reference == n.reference
    for person in (pen.us, pen.th_other):
        for ref in (n.uuid, n.reference):
            with pytest.raises(NotFoundError) as err:
                pen.show(person, ref)
            assert err.value.detail == f"no pre-export notification {ref!r}"
        with pytest.raises(NotFoundError):
            pen.call(person, "answer", n.uuid, AnswerIn(version=1, answer="no_objection"))
    with pen.p.db.unit() as s:
        reads = s.scalars(
            select(AuditRow).where(AuditRow.object_uuid == n.uuid, AuditRow.action == "record.read")
        )
        assert len(list(reads)) == 2  # TH-A and SG-A; the owner's own reads are not audited as disclosures


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"substance": "heroin"}, "substance", "not a precursor; expected a precursor chemical"),
        ({"substance": "unobtainium"}, "substance", "'unobtainium' is not in the catalogue"),
        ({"unit": "tablets"}, "unit", "unit 'tablets' does not fit acetic anhydride"),
        ({"unit": "bags"}, "unit", "unknown unit 'bags'"),
        ({"importing_country": "ZZ"}, "importing_country", "'ZZ' is not a country known to ISO 3166"),
        (
            {"importing_country": "VN"},
            "importing_country",
            "no competent authority is designated for importing country 'VN'",
        ),
        ({"importing_country": "CN"}, "importing_country", "is the exporting country"),
        ({"deadline_days": 120}, "deadline_days", "deadline_days 120 is out of bounds"),
        ({"transit_countries": ["Atlantis"]}, "transit_countries[0]", "'Atlantis' is not a country"),
    ],
)
def test_bad_input_names_the_problem(pen: Pen, fields: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(BadInputError) as err:
        pen.notify(**fields)
    assert words in err.value.errors[field]
    with pen.p.db.unit() as s:
        assert s.scalar(select(PreExportNotification.id)) is None


def test_quantity_error_is_the_domain_one(pen: Pen) -> None:
    with pytest.raises(QuantityError) as err:
        pen.notify(unit="plants")
    assert err.value.field == "unit"


def test_substance_by_name(pen: Pen) -> None:
    n = pen.notify(substance="Acetic Anhydride", unit="l", quantity=100)
    assert (n.substance, n.reported_name) == ("acetic_anhydride", "Acetic Anhydride")
    assert n.mass_kg == pytest.approx(108.0)


def test_only_the_designated_authority_notifies(pen: Pen) -> None:
    with pytest.raises(ForbiddenError) as err:
        pen.notify(pen.th_other, importing_country="CN")
    assert "TH-B is not the designated competent authority" in err.value.detail
    with pytest.raises(ForbiddenError):
        pen.notify(pen.w.user("CN-A", "reader"))


def test_duplicates_are_detected_then_confirmed(pen: Pen) -> None:
    first = pen.notify()
    with pytest.raises(ConflictError) as err:
        pen.notify(importer="SAMPLE import trading ltd. (fictitious)")
    assert first.reference in err.value.detail
    again = pen.notify(confirm_duplicate=True)
    assert again.duplicate_of_id == first.id
    assert pen.show(pen.th, again.uuid).duplicate_of == first.reference
    pen.notify(order_reference="PO-other")  # another order is not a duplicate
    pen.call(pen.cn, "withdraw", first.uuid, WithdrawalIn(version=1))
    pen.call(pen.cn, "withdraw", again.uuid, WithdrawalIn(version=1))
    pen.notify()  # the earlier ones are withdrawn: no longer live


def test_full_lifecycle(pen: Pen) -> None:
    n = pen.notify()
    with pytest.raises(BadInputError) as err:
        pen.call(pen.th, "answer", n.uuid, AnswerIn(version=1, answer="information_requested"))
    assert "needs the question" in err.value.detail
    n = pen.call(
        pen.th, "answer", n.uuid, AnswerIn(version=1, answer="information_requested", reason="End use?")
    )
    assert n.state == "info_requested"
    pen.clock.advance(days=5)
    n = pen.call(
        pen.cn, "provide_information", n.uuid, InformationIn(version=2, information="Pharma solvent.")
    )
    assert (n.state, n.answer_due) == ("awaiting_answer", date(2026, 6, 21))
    n = pen.call(pen.th, "answer", n.uuid, AnswerIn(version=3, answer="no_objection"))
    assert (n.state, n.answer_late) == ("cleared", False)
    with pytest.raises(BadInputError):
        pen.call(pen.cn, "record_shipment", n.uuid, ShipmentIn(version=4, shipped_on=date(2026, 7, 1)))
    n = pen.call(pen.cn, "record_shipment", n.uuid, ShipmentIn(version=4, shipped_on=date(2026, 6, 6)))
    assert (n.state, n.shipped_on) == ("shipped", date(2026, 6, 6))
    with pytest.raises(BadInputError) as err:
        pen.call(pen.cn, "record_arrival", n.uuid, ArrivalIn(version=5, arrived_on=date(2026, 6, 5)))
    assert "before shipped_on" in err.value.detail
    n = pen.call(pen.cn, "record_arrival", n.uuid, ArrivalIn(version=5, arrived_on=date(2026, 6, 6)))
    assert n.state == "arrived"
    with pytest.raises(ConflictError) as refused:
        pen.call(pen.th, "answer", n.uuid, AnswerIn(version=6, answer="objection", reason="late doubts"))
    assert "the notification is arrived" in refused.value.detail
    with pen.p.db.unit() as s:
        events = [e.event for e in s.scalars(select(PenEvent).where(PenEvent.notification_id == n.id))]
    assert events == ["notified", "answered", "information_provided", "answered", "shipped", "arrived"]


def test_objection_and_changed_answer(pen: Pen) -> None:
    n = pen.notify()
    n = pen.call(pen.th, "answer", n.uuid, AnswerIn(version=1, answer="objection", reason="Unknown importer"))
    assert (n.state, n.answer_reason) == ("objected", "Unknown importer")
    with pytest.raises(ConflictError):
        pen.call(pen.cn, "record_shipment", n.uuid, ShipmentIn(version=2, shipped_on=date(2026, 6, 1)))
    with pytest.raises(ConflictError):
        pen.call(pen.cn, "withdraw", n.uuid, WithdrawalIn(version=2))
    n = pen.call(pen.th, "answer", n.uuid, AnswerIn(version=2, answer="no_objection"))
    assert n.state == "cleared"
    with pen.p.db.unit() as s:
        last = s.scalars(
            select(PenEvent).where(PenEvent.notification_id == n.id).order_by(PenEvent.id.desc())
        ).first()
        assert last is not None and last.detail["changed_from"] == "objection"


def test_late_answer_is_recorded_not_dropped(pen: Pen) -> None:
    n = pen.notify(deadline_days=5)
    pen.clock.advance(days=8)
    assert pen.show(pen.th, n.uuid).overdue and pen.show(pen.cn, n.uuid).overdue
    n = pen.call(pen.th, "answer", n.uuid, AnswerIn(version=1, answer="no_objection"))
    assert (n.state, n.answer_late) == ("cleared", True)
    with pen.p.db.unit() as s:
        event = s.scalars(select(PenEvent).where(PenEvent.event == "answered")).one()
        assert event.late and event.detail["days_late"] == 3


def test_shipment_without_answer_only_after_the_deadline(pen: Pen) -> None:
    n = pen.notify(deadline_days=3)
    with pytest.raises(ConflictError) as err:
        pen.call(pen.cn, "record_shipment", n.uuid, ShipmentIn(version=1, shipped_on=date(2026, 6, 1)))
    assert "only after the deadline has passed" in err.value.detail
    pen.clock.advance(days=4)
    n = pen.call(pen.cn, "record_shipment", n.uuid, ShipmentIn(version=1, shipped_on=date(2026, 6, 5)))
    assert n.state == "shipped"
    out = pen.show(pen.th, n.uuid)
    assert out.shipped_without_answer and not out.overdue
    with pen.p.db.unit() as s:
        event = s.scalars(select(PenEvent).where(PenEvent.event == "shipped")).one()
        assert event.detail["without_answer"] is True


def test_not_shipped_and_withdrawn(pen: Pen) -> None:
    a = pen.notify()
    pen.call(pen.th, "answer", a.uuid, AnswerIn(version=1, answer="no_objection"))
    a = pen.call(pen.cn, "record_shipment", a.uuid, ShipmentIn(version=2, shipped=False))
    assert (a.state, a.shipped) == ("not_shipped", False)
    b = pen.notify(order_reference="PO-9")
    b = pen.call(pen.cn, "withdraw", b.uuid, WithdrawalIn(version=1, reason="Order cancelled"))
    assert b.state == "withdrawn"


def test_only_the_importing_authority_answers(pen: Pen) -> None:
    n = pen.notify()
    with pytest.raises(ForbiddenError) as err:
        pen.call(pen.sg, "answer", n.uuid, AnswerIn(version=1, answer="no_objection"))
    assert "addressed to TH-A, the competent authority of TH" in err.value.detail
    with pytest.raises(ForbiddenError):
        pen.call(pen.cn, "answer", n.uuid, AnswerIn(version=1, answer="no_objection"))
    with pytest.raises(ForbiddenError):
        pen.call(pen.th_reader, "answer", n.uuid, AnswerIn(version=1, answer="no_objection"))
    with pytest.raises(ForbiddenError) as err:
        pen.call(pen.th, "withdraw", n.uuid, WithdrawalIn(version=1))
    assert "only the exporting authority" in err.value.detail


def test_stale_version_is_refused(pen: Pen) -> None:
    n = pen.notify()
    pen.call(pen.th, "answer", n.uuid, AnswerIn(version=1, answer="information_requested", reason="Who?"))
    with pytest.raises(ConflictError) as err:
        pen.call(pen.cn, "withdraw", n.uuid, WithdrawalIn(version=1))
    assert "version" in err.value.errors


def test_reminders_once_a_day(pen: Pen) -> None:
    near = pen.notify(deadline_days=2)
    far = pen.notify(deadline_days=30, order_reference="PO-far")

    def remind() -> list[str]:
        with pen.p.db.unit() as s:
            console = pen.w.console()
            return [n.reference for n in pen.p.pen.remind(s, console, console.today)]

    assert remind() == [near.reference]
    assert remind() == []
    pen.clock.advance(days=1)
    assert remind() == [near.reference]
    pen.clock.advance(days=27)
    assert remind() == [near.reference, far.reference]
    analyst = pen.w.actor(pen.cn)
    with pen.p.db.unit() as s:
        assert len(list(s.scalars(select(PenEvent).where(PenEvent.event == "reminder")))) == 4
        assert len(list(s.scalars(select(AuditRow).where(AuditRow.action == "pen.remind")))) == 4
        with pytest.raises(ForbiddenError):
            pen.p.pen.remind(s, analyst, date(2026, 6, 1))


def test_inbox_outbox_transit(pen: Pen) -> None:
    late = pen.notify(deadline_days=1)
    soon = pen.notify(deadline_days=10, order_reference="PO-s")
    asked = pen.notify(deadline_days=5, order_reference="PO-a")
    pen.call(pen.th, "answer", asked.uuid, AnswerIn(version=1, answer="information_requested", reason="Why?"))
    pen.clock.advance(days=3)

    def box(person: Person, name: str, **kw: Any) -> list[str]:
        with pen.p.db.unit() as s:
            rows, _ = pen.p.pen.list_for(s, pen.w.actor(person), name, **kw)
            return [n.reference for n in rows]

    assert box(pen.th, "inbox") == [late.reference, soon.reference, asked.reference]
    assert box(pen.th, "inbox", overdue=True) == [late.reference]
    assert box(pen.th, "inbox", state="info_requested") == [asked.reference]
    assert box(pen.cn, "outbox") == [asked.reference, soon.reference, late.reference]
    assert box(pen.cn, "inbox") == []
    assert box(pen.sg, "transit") == [asked.reference, soon.reference, late.reference]
    assert box(pen.us, "all") == []
    with pytest.raises(BadInputError):
        box(pen.th, "spam")


def test_sharing_further(pen: Pen) -> None:
    pen.w.agency("MY-A", country="MY")
    n = pen.notify()
    with pytest.raises(BadInputError) as err:
        pen.call(
            pen.cn,
            "change_distribution",
            n.uuid,
            PenSharingIn(version=1, distribution="agencies", agencies=["SG-A", "US-A"]),
        )
    assert "leave out TH-A" in err.value.detail
    pen.w.mechanism("MEK", ["CN-A", "SG-A"])
    with pytest.raises(BadInputError):
        pen.call(
            pen.cn,
            "change_distribution",
            n.uuid,
            PenSharingIn(version=1, distribution="mechanisms", mechanisms=["MEK"]),
        )
    with pytest.raises(ForbiddenError):
        pen.call(
            pen.sg,
            "change_distribution",
            n.uuid,
            PenSharingIn(version=1, distribution="agencies", agencies=["SG-A", "TH-A", "US-A"]),
        )
    n = pen.call(
        pen.th,
        "change_distribution",
        n.uuid,
        PenSharingIn(version=1, distribution="agencies", agencies=["SG-A", "TH-A", "MY-A"]),
    )
    assert pen.show(pen.w.user("MY-A"), n.uuid).role == "shared"
    with pytest.raises(BadInputError) as err:
        pen.call(
            pen.th,
            "change_distribution",
            n.uuid,
            PenSharingIn(version=2, distribution="agencies", agencies=["TH-A", "MY-A"]),
        )
    assert "keep SG-A" in err.value.detail
    n = pen.call(pen.cn, "change_distribution", n.uuid, PenSharingIn(version=2, distribution="all"))
    assert pen.show(pen.us, n.uuid).role == "shared"
    with pytest.raises(ForbiddenError):
        pen.call(pen.th, "change_distribution", n.uuid, PenSharingIn(version=3, distribution="agency"))


def test_personal_data_needs_an_agreement(pen: Pen) -> None:
    with pytest.raises(BadInputError) as err:
        pen.notify(contains_personal_data=True)
    assert "no personal-data agreement" in err.value.detail
    pen.w.agreement(agencies=["CN-A", "TH-A"])
    pen.w.agreement(agencies=["CN-A", "SG-A"])
    n = pen.notify(contains_personal_data=True)
    assert pen.show(pen.th, n.uuid).contains_personal_data


def test_each_authority_sees_only_its_own_flags(pen: Pen, monkeypatch: pytest.MonkeyPatch) -> None:
    def flags(session: Any, notification: Any) -> list[dict[str, Any]]:
        return [
            {
                "rule": "free_trade_zone",
                "agency": "TH-A",
                "reason": "transits a free-trade zone",
                "details": {},
            },
            {
                "rule": "new_consignee",
                "agency": "CN-A",
                "reason": "consignee never seen",
                "details": {"n": 0},
            },
        ]

    monkeypatch.setattr(pen.p.diversion, "flags_for", flags)
    n = pen.notify()
    assert [f.rule for f in pen.show(pen.th, n.uuid).flags] == ["free_trade_zone"]
    assert [f.rule for f in pen.show(pen.cn, n.uuid).flags] == ["new_consignee"]
    assert pen.show(pen.sg, n.uuid).flags == []
    assert pen.show(pen.sg, n.uuid).flag_count == 0


def test_designation(pen: Pen) -> None:
    analyst = pen.w.actor(pen.th)
    with pen.p.db.unit() as s:
        with pytest.raises(ForbiddenError):
            pen.p.pen.designate(s, analyst, "TH", "TH-B")
        with pytest.raises(BadInputError) as err:
            pen.p.pen.designate(s, pen.w.console(), "TH", "CN-A")
        assert "belongs to country 'CN'" in err.value.detail
        with pytest.raises(BadInputError):
            pen.p.pen.designate(s, pen.w.console(), "XX", "TH-B")
        out = pen.p.pen.designate(s, pen.w.console(), "Thailand", "TH-B")
        assert (out.country, out.agency) == ("TH", "TH-B")
    n = pen.notify()
    assert pen.show(pen.th_other, n.uuid).role == "importer"
    with pen.p.db.unit() as s:
        row = s.scalars(
            select(AuditRow).where(AuditRow.action == "pen.authority.designate").order_by(AuditRow.seq.desc())
        ).first()
        assert row is not None and json.loads(row.detail)["before"] == "TH-A"


def test_answer_due_moves_with_information(pen: Pen) -> None:
    n = pen.notify(deadline_days=10)
    pen.call(pen.th, "answer", n.uuid, AnswerIn(version=1, answer="information_requested", reason="Licence?"))
    pen.clock.advance(days=20)  # the clock is stopped while the exporter owes information
    assert not pen.show(pen.th, n.uuid).overdue
    n = pen.call(pen.cn, "provide_information", n.uuid, InformationIn(version=2, information="Licence 42."))
    assert n.answer_due == pen.clock.now.date() + timedelta(days=10)


def test_demo_has_every_state_and_runs_once(world: World) -> None:
    from interdict.domain.pen import PenState
    from interdict.services.demo_pen import AUTHORITIES, load_demo_pen

    authors = {}
    for country, code in AUTHORITIES.items():
        world.agency(code, country=country)
        authors[code] = world.actor(world.user(code))
    with world.p.db.unit() as s:
        assert load_demo_pen(world.p, s, authors, world.console()) == 12
    with world.p.db.unit() as s:
        rows = list(s.scalars(select(PreExportNotification)))
        today = world.clock().date()
        assert {n.state for n in rows} == {state.value for state in PenState}
        assert any(n.state == "awaiting_answer" and n.answer_due < today for n in rows)  # overdue
        assert any(n.answer_late for n in rows)
        assert any(n.duplicate_of_id for n in rows)
        assert any(n.state == "shipped" and n.answer is None for n in rows)  # shipped without answer
        assert any(leg.get("free_trade_zone") for n in rows for leg in n.route)
        assert all("fictitious" in n.importer for n in rows)
        assert s.scalar(select(func.count(PenEvent.id)).where(PenEvent.event == "reminder"))
    with world.p.db.unit() as s:
        assert load_demo_pen(world.p, s, authors, world.console()) == 0
        assert s.scalar(select(func.count(PreExportNotification.id))) == 12
