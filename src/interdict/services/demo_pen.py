"""The demo world's pre-export notifications: the competent authorities of the demo countries, and
notifications in every state (awaiting an answer, overdue, information requested, cleared, objected,
withdrawn, shipped, shipped without an answer, not shipped, arrived, answered late, a confirmed
duplicate), routed through transit countries and a free-trade zone, each step dated back from the clock
the actors carry. Company names are fictitious. Skipped when notifications exist (a second run adds
nothing); a notification whose authorities are not in the demo is left out."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interdict.schemas.pen import AnswerIn, ArrivalIn, InformationIn, PenCreate, ShipmentIn, WithdrawalIn
from interdict.services.context import Actor
from interdict.services.platform import Platform
from interdict.store.pen import PrecursorAuthority, PreExportNotification
from interdict.store.structure import Agency

AUTHORITIES = {
    "CN": "CN-NNCC",
    "US": "US-DEA",
    "TH": "TH-ONCB",
    "MM": "MM-CCDAC",
    "LA": "LA-LCDC",
    "KH": "KH-NACD",
    "VN": "VN-MPS-C04",
    "MY": "MY-AADK",
    "SG": "SG-CNB",
    "ID": "ID-BNN",
    "PH": "PH-DDB",
    "IN": "IN-NCB",
}
FTZ_SG = {"country": "SG", "place": "Jurong Island", "mode": "sea", "free_trade_zone": True}


@dataclass(frozen=True)
class Demo:
    """One notification and what happens to it: ``steps`` are (days ago, who, action, payload)."""

    exporter: str  # country
    importer: str  # country
    days_ago: int
    body: dict[str, Any]
    steps: tuple[tuple[int, str, str, dict[str, Any]], ...] = field(default=())
    ship_in: int | None = None  # planned ship date, days from now (default: ten days after notifying)


def _body(**fields: Any) -> dict[str, Any]:
    return {
        "exporter": "Demo Fine Chemicals Co. (fictitious)",
        "exporter_address": "1 Example Road, Demo Industrial Park",
        "purpose": "Solvent for pharmaceutical manufacture",
        "transport_mode": "sea",
        **fields,
    }


DEMOS: tuple[Demo, ...] = (
    Demo(
        "CN",
        "TH",
        2,
        _body(
            importer="Sample Siam Trading (fictitious)",
            substance="acetic_anhydride",
            quantity=12,
            unit="t",
            order_reference="DEMO-AA-001",
            route=[FTZ_SG, {"country": "TH", "place": "Laem Chabang", "mode": "sea"}],
        ),
        ship_in=8,
    ),
    Demo(
        "CN",
        "MM",
        20,
        _body(
            importer="Placeholder Yangon Pharma (fictitious)",
            substance="pseudoephedrine",
            quantity=800,
            unit="kg",
            order_reference="DEMO-PSE-014",
            transport_mode="road",
            route=[
                {"country": "LA", "place": "Boten", "mode": "road"},
                {"country": "MM", "place": "Tachileik", "mode": "road"},
            ],
        ),
    ),
    Demo(
        "IN",
        "MM",
        6,
        _body(
            importer="Example Mandalay Chemicals (fictitious)",
            substance="ephedrine",
            quantity=500,
            unit="kg",
            order_reference="DEMO-EPH-220",
            transport_mode="air",
        ),
        steps=(
            (
                3,
                "importer",
                "answer",
                {"answer": "information_requested", "reason": "Please send the end-user certificate."},
            ),
        ),
    ),
    Demo(
        "CN",
        "VN",
        9,
        _body(
            importer="Mock Hanoi Solvents JSC (fictitious)",
            substance="toluene",
            quantity=20,
            unit="t",
            order_reference="DEMO-TOL-031",
        ),
        steps=((4, "importer", "answer", {"answer": "no_objection"}),),
    ),
    Demo(
        "CN",
        "KH",
        12,
        _body(
            importer="Fictional Mekong Agro Supply (fictitious)",
            substance="safrole",
            quantity=1500,
            unit="l",
            order_reference="DEMO-SAF-007",
            route=[{"country": "VN", "place": "Cai Mep", "mode": "sea"}],
        ),
        steps=(
            (
                6,
                "importer",
                "answer",
                {"answer": "objection", "reason": "The consignee is unknown at the declared address."},
            ),
        ),
    ),
    Demo(
        "IN",
        "MY",
        10,
        _body(
            importer="Sample Klang Labs Sdn Bhd (fictitious)",
            substance="phenylacetic_acid",
            quantity=300,
            unit="kg",
            order_reference="DEMO-PAA-118",
        ),
        steps=((7, "exporter", "withdrawal", {"reason": "Order cancelled by the buyer."}),),
    ),
    Demo(
        "CN",
        "PH",
        18,
        _body(
            importer="Example Luzon Industrial (fictitious)",
            substance="hydrochloric_acid",
            quantity=40,
            unit="t",
            order_reference="DEMO-HCL-402",
            route=[FTZ_SG],
        ),
        steps=(
            (11, "importer", "answer", {"answer": "no_objection"}),
            (8, "exporter", "shipment", {"shipped": True, "shipped_on": 8}),
        ),
    ),
    Demo(
        "CN",
        "ID",
        16,
        _body(
            importer="Placeholder Surabaya Kimia (fictitious)",
            substance="acetone",
            quantity=25,
            unit="t",
            order_reference="DEMO-ACE-090",
        ),
        steps=(
            (10, "importer", "answer", {"answer": "no_objection"}),
            (5, "exporter", "shipment", {"shipped": False, "note": "Buyer did not pay."}),
        ),
    ),
    Demo(
        "CN",
        "TH",
        40,
        _body(
            importer="Sample Siam Trading (fictitious)",
            substance="acetic_anhydride",
            quantity=6,
            unit="t",
            order_reference="DEMO-AA-000",
            route=[FTZ_SG, {"country": "TH", "place": "Laem Chabang", "mode": "sea"}],
        ),
        steps=(
            (33, "importer", "answer", {"answer": "no_objection"}),
            (30, "exporter", "shipment", {"shipped": True, "shipped_on": 30}),
            (22, "exporter", "arrival", {"arrived_on": 23}),
        ),
    ),
    Demo(
        "CN",
        "LA",
        25,
        _body(
            importer="Mock Vientiane Trading (fictitious)",
            substance="sulphuric_acid",
            quantity=10,
            unit="t",
            order_reference="DEMO-SUL-055",
            transport_mode="rail",
            deadline_days=10,
        ),
        steps=((5, "importer", "answer", {"answer": "no_objection"}),),
    ),
    Demo(
        "IN",
        "MM",
        30,
        _body(
            importer="Example Mandalay Chemicals (fictitious)",
            substance="ephedrine",
            quantity=200,
            unit="kg",
            order_reference="DEMO-EPH-199",
            transport_mode="air",
            deadline_days=10,
        ),
        steps=((12, "exporter", "shipment", {"shipped": True, "shipped_on": 12}),),
    ),
    # The first one again, confirmed as a repeat.
    Demo(
        "CN",
        "TH",
        1,
        _body(
            importer="SAMPLE SIAM TRADING (fictitious)",
            substance="acetic anhydride",
            quantity=12,
            unit="t",
            order_reference="DEMO-AA-001",
            confirm_duplicate=True,
            route=[FTZ_SG, {"country": "TH", "place": "Laem Chabang", "mode": "sea"}],
        ),
        ship_in=8,
    ),
)


def load_demo_pen(platform: Platform, session: Session, authors: dict[str, Actor], admin: Actor) -> int:
    """Designate the demo authorities and write the demo notifications; the number written."""
    _designate(platform, session, admin)
    if session.scalar(select(func.count(PreExportNotification.id))):
        return 0
    written = 0
    for demo in DEMOS:
        exporter, importer = authors.get(AUTHORITIES[demo.exporter]), authors.get(AUTHORITIES[demo.importer])
        if exporter is None or importer is None:
            continue
        _notify(platform, session, demo, exporter, importer)
        written += 1
    if written:
        platform.pen.remind(session, admin, admin.today)
    return written


def _designate(platform: Platform, session: Session, admin: Actor) -> None:
    done = set(session.scalars(select(PrecursorAuthority.country)))
    present = set(session.scalars(select(Agency.code).where(Agency.code.in_(AUTHORITIES.values()))))
    for country, code in AUTHORITIES.items():
        if country not in done and code in present:
            platform.pen.designate(session, admin, country, code)


def _notify(platform: Platform, session: Session, demo: Demo, exporter: Actor, importer: Actor) -> None:
    pen = platform.pen

    def back(actor: Actor, days: int) -> Actor:
        return replace(actor, now=actor.now - timedelta(days=days))

    ship_in = demo.ship_in if demo.ship_in is not None else 10 - demo.days_ago
    body = {"importing_country": demo.importer, "ship_date": exporter.today + timedelta(days=ship_in)}
    n = pen.create(session, back(exporter, demo.days_ago), PenCreate.model_validate({**body, **demo.body}))
    for days, side, action, payload in demo.steps:
        actor = back(importer if side == "importer" else exporter, days)
        data = {**payload, "version": n.version}
        for key in ("shipped_on", "arrived_on"):
            if key in data:  # days ago, like the step itself
                data[key] = exporter.today - timedelta(days=data[key])
        if action == "answer":
            n = pen.answer(session, actor, n.uuid, AnswerIn.model_validate(data))
        elif action == "information":
            n = pen.provide_information(session, actor, n.uuid, InformationIn.model_validate(data))
        elif action == "shipment":
            n = pen.record_shipment(session, actor, n.uuid, ShipmentIn.model_validate(data))
        elif action == "arrival":
            n = pen.record_arrival(session, actor, n.uuid, ArrivalIn.model_validate(data))
        else:
            n = pen.withdraw(session, actor, n.uuid, WithdrawalIn.model_validate(data))
    session.flush()


__all__ = ["AUTHORITIES", "DEMOS", "load_demo_pen"]
