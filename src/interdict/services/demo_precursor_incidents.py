"""The demo world's precursor incidents: a dozen stopped shipments, suspicious orders, seizures of
precursors and of equipment, thefts and diversions in the Mekong, ASEAN and SCO region, under mixed
distributions. The chemicals seized become seizure records, so the demo's seizure statistics show them.

Companies, places and events are fictitious. Each incident carries a reference (``DEMO-PI-nn``) and is
skipped when its agency already holds one with that reference, so loading twice adds nothing; one whose
agency is not in the demo is left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from interdict.schemas.precursor_incidents import PrecursorIncidentCreate
from interdict.services.context import Actor
from interdict.services.platform import Platform
from interdict.store.precursor_incidents import PrecursorIncident
from interdict.store.structure import Agency


@dataclass(frozen=True)
class DemoIncident:
    reference: str
    agency: str
    days_ago: int
    kind: str
    country: str
    place: str
    summary: str
    methods: tuple[str, ...] = ()
    chemicals: tuple[tuple[str, float, str], ...] = ()
    equipment: tuple[tuple[str, int], ...] = ()
    route: tuple[str, ...] = ()  # origin, transit..., destination
    sharing: dict[str, Any] = field(default_factory=lambda: {"distribution": "agency"})


MEKONG = {"distribution": "mechanisms", "mechanisms": ["MEKONG-MOU"]}
ASOD = {"distribution": "mechanisms", "mechanisms": ["ASOD-CN"]}
SCO = {"distribution": "mechanisms", "mechanisms": ["SCO"]}
ALL = {"distribution": "all"}

INCIDENTS: tuple[DemoIncident, ...] = (
    DemoIncident(
        "DEMO-PI-01",
        "TH-ONCB",
        40,
        "precursor_seizure",
        "TH",
        "Warehouse of Golden Reed Trading, Chiang Saen",
        "Drums of 1-phenyl-2-propanone declared as a cleaning solvent found in a river-side warehouse",
        ("false_declaration", "front_company"),
        (("1-phenyl-2-propanone", 1200, "l"),),
        (),
        ("LA", "TH"),
        MEKONG,
    ),
    DemoIncident(
        "DEMO-PI-02",
        "MM-CCDAC",
        75,
        "precursor_seizure",
        "MM",
        "Hill camp near the fictional village of Nam Pha",
        "Ephedrine and two tableting machines seized at a dismantled tablet workshop",
        ("repackaging",),
        (("ephedrine", 350, "kg"),),
        (("tableting_machine", 2),),
        (),
        MEKONG,
    ),
    DemoIncident(
        "DEMO-PI-03",
        "LA-LCDC",
        120,
        "stopped_shipment",
        "LA",
        "Fictional Pak Tha river port",
        "APAAN declared as fertiliser stopped on a cargo barge",
        ("false_declaration", "free_trade_zone"),
        (("APAAN", 2000, "kg"),),
        (),
        ("CN", "LA", "MM"),
        {"distribution": "agencies", "agencies": ["TH-ONCB", "CN-NNCC"]},
    ),
    DemoIncident(
        "DEMO-PI-04",
        "CN-NNCC",
        30,
        "suspicious_order",
        "CN",
        "Online chemical marketplace",
        "Order for PMK glycidate split into twenty parcels under the reporting threshold",
        ("online_ordering", "order_splitting", "postal_courier"),
        (("PMK glycidate", 500, "kg"),),
        (),
        ("CN", "KH"),
        {"distribution": "agencies", "agencies": ["KH-NACD", "TH-ONCB"]},
    ),
    DemoIncident(
        "DEMO-PI-05",
        "VN-MPS-C04",
        200,
        "theft",
        "VN",
        "Licensed dye works, fictional Binh Lac industrial zone",
        "Acetic anhydride stolen from a licensed facility's store",
        ("facility_theft",),
        (("acetic anhydride", 800, "l"),),
        (),
        (),
        ALL,
    ),
    DemoIncident(
        "DEMO-PI-06",
        "KH-NACD",
        150,
        "equipment_seizure",
        "KH",
        "Rented farmhouse, fictional Prey Sor district",
        "Tableting machines, dies and a reactor found in a rented farmhouse",
        ("front_company",),
        (),
        (("tableting_machine", 3), ("pill_press_die", 40), ("reactor", 1)),
        (),
        ASOD,
    ),
    DemoIncident(
        "DEMO-PI-07",
        "IN-NCB",
        90,
        "diversion",
        "IN",
        "Pharmaceutical wholesaler, fictional Sector 9",
        "Ephedrine diverted from domestic distribution through a wholesaler's falsified sales records",
        ("domestic_diversion", "forged_documents"),
        (("ephedrine", 120, "kg"),),
        (),
        (),
        SCO,
    ),
    DemoIncident(
        "DEMO-PI-08",
        "KZ-MVD",
        60,
        "stopped_shipment",
        "KZ",
        "Fictional Dostyk-East rail yard",
        "Rail container of acetic anhydride under a forged import licence stopped at the border",
        ("forged_documents", "free_trade_zone"),
        (("acetic anhydride", 5000, "l"),),
        (),
        ("CN", "KZ", "AF"),
        SCO,
    ),
    DemoIncident(
        "DEMO-PI-09",
        "CN-NNCC",
        100,
        "precursor_seizure",
        "CN",
        "Courier depot, fictional Nanhe logistics park",
        "PMK glycidate and BMK glycidate parcels seized at a courier depot",
        ("postal_courier", "designer_precursor", "false_declaration"),
        (("PMK glycidate", 1500, "kg"), ("BMK glycidate", 900, "kg")),
        (),
        ("CN", "VN"),
        MEKONG,
    ),
    DemoIncident(
        "DEMO-PI-10",
        "TH-ONCB",
        15,
        "equipment_seizure",
        "TH",
        "Fictional Ban Mai industrial estate",
        "Encapsulating machine and hydrogenator bought by a shell company",
        ("front_company",),
        (),
        (("encapsulating_machine", 1), ("hydrogenator", 1)),
        (),
    ),
    DemoIncident(
        "DEMO-PI-11",
        "IN-NCB",
        250,
        "precursor_seizure",
        "IN",
        "Fictional Kandla-West container freight station",
        "Pseudoephedrine repackaged as a food supplement seized before export",
        ("repackaging", "false_declaration"),
        (("pseudoephedrine", 75, "kg"),),
        (),
        ("IN", "MM"),
        ALL,
    ),
    DemoIncident(
        "DEMO-PI-12",
        "VN-MPS-C04",
        45,
        "stopped_shipment",
        "VN",
        "Fictional Cai Moc container port",
        "BMK glycidate under forged documents stopped in transit",
        ("forged_documents", "designer_precursor"),
        (("BMK glycidate", 900, "kg"),),
        (),
        ("CN", "VN", "LA"),
        {"distribution": "agencies", "agencies": ["CN-NNCC", "LA-LCDC"]},
    ),
    DemoIncident(
        "DEMO-PI-13",
        "LA-LCDC",
        20,
        "suspicious_order",
        "LA",
        "Fictional Vientiane agro-chemical dealer",
        "A newly registered company asked for potassium permanganate far beyond any farm use",
        ("front_company",),
        (("potassium permanganate", 2000, "kg"),),
        (),
        (),
        MEKONG,
    ),
)


def _body(item: DemoIncident, actor: Actor) -> PrecursorIncidentCreate:
    route = list(item.route)
    return PrecursorIncidentCreate.model_validate(
        {
            "reference": item.reference,
            "kind": item.kind,
            "occurred_on": (actor.today - timedelta(days=item.days_ago)).isoformat(),
            "country": item.country,
            "place": item.place,
            "summary": item.summary,
            "methods": list(item.methods),
            "chemicals": [{"substance": s, "quantity": q, "unit": u} for s, q, u in item.chemicals],
            "equipment": [{"equipment": e, "count": n} for e, n in item.equipment],
            "origin_country": route[0] if route else "",
            "transit_countries": route[1:-1],
            "destination_country": route[-1] if len(route) > 1 else "",
            **item.sharing,
        }
    )


def load_demo_precursor_incidents(platform: Platform, session: Session, authors: dict[str, Actor]) -> int:
    """Write the demo incidents that are missing; the number written."""
    written = 0
    for item in INCIDENTS:
        actor = authors.get(item.agency)
        if actor is None:
            continue
        exists = session.scalar(
            select(PrecursorIncident.id)
            .join(Agency, Agency.id == PrecursorIncident.owner_agency_id)
            .where(Agency.code == item.agency, PrecursorIncident.reference == item.reference)
        )
        if exists is None:
            platform.precursor_incidents.create(session, actor, _body(item, actor))
            written += 1
    return written
