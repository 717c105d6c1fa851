"""Demo control statuses for the countries of the demo mechanisms, written through the service as the
platform admin, leaving gaps that the demo seizures make visible: ketamine (seized in Laos and Cambodia,
controlled in their neighbours), acetic anhydride (seized in Myanmar), mephedrone (seized in Kyrgyzstan)
and protonitazene (seized in the United States, not listed in China).

Almost every status here is illustrative and says so in its source: it is not a statement of national law.
The two class-wide fentanyl controls are public facts and cite their sources. Running the loader again adds
nothing (the service answers "unchanged" for a status already recorded).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from interdict.schemas.scheduling import ControlStatusCreate
from interdict.services.context import Actor
from interdict.services.platform import Platform

ILLUSTRATIVE = "Demo world: illustrative, not a statement of national law"

MEKONG = ("CN", "KH", "LA", "MM", "TH", "VN")
ASEAN_REST = ("BN", "ID", "MY", "PH", "SG")
SCO = ("BY", "IN", "IR", "KG", "KZ", "PK", "RU", "TJ", "UZ")
ALL = (*MEKONG, *ASEAN_REST, *SCO, "US")

# Controlled in every demo country: no gap.
CORE = ("heroin", "opium", "morphine", "methamphetamine", "amphetamine", "mdma", "cocaine", "cannabis_herb",
        "cannabis_resin")  # fmt: skip

# (substance, schedule, countries controlling it): the others do not, which makes the gaps.
PARTIAL: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ketamine", "Psychotropic substances, category I", ("CN", "MM", "TH", "VN", "MY", "SG", "ID", "PH")),
    ("acetic_anhydride", "Precursor chemicals, category 2", ("CN", "LA", "TH", "VN", "KH", "IN", "PK", "IR")),
    ("ephedrine", "Precursor chemicals, category 1", (*MEKONG, *ASEAN_REST, *SCO)),
    ("p2p", "Precursor chemicals, category 1", ("CN", "TH", "MM", "VN", "RU", "KZ", "US")),
    ("mephedrone", "Narcotic drugs, list I", ("RU", "KZ", "BY", "CN", "UZ")),
    ("alpha_pvp", "Narcotic drugs, list I", ("RU", "KZ", "BY", "CN", "KG")),
    ("tramadol", "Psychotropic substances, list III", ("RU", "UZ", "IN", "CN", "IR")),
    ("protonitazene", "Schedule I", ("US",)),
    ("isotonitazene", "Schedule I", ("US", "CN")),
)

# Class-wide control of fentanyl-related substances, both public facts.
CLASS_WIDE: tuple[tuple[str, str, str, date, str, str], ...] = (
    (
        "CN", "fentanyl_analogue", "Fentanyl-related substances (whole class), supplementary list",
        date(2019, 5, 1),
        "Announcement of the Ministry of Public Security, National Health Commission and National Medical "
        "Products Administration adding fentanyl-related substances to the Supplementary List of Controlled "
        "Narcotic Drugs and Psychotropic Substances with Non-Medical Use (1 April 2019)",
        "Joint announcement of 1 April 2019, in force 1 May 2019 (reported by the State Council Information Office "
        "and the UNODC Early Warning Advisory, April 2019)",
    ),
    (
        "US", "fentanyl_analogue", "Schedule I (fentanyl-related substances, temporary class-wide order)",
        date(2018, 2, 6),
        "DEA temporary scheduling order, Federal Register vol. 83 p. 5188 (6 February 2018)",
        "Federal Register vol. 83 no. 25, pp. 5188-5192, FR Doc. 2018-02319 (6 February 2018)",
    ),
)  # fmt: skip


def _day(code: str, offset: int) -> date:
    """A stable illustrative date per country and entry (no country's real dates)."""
    return date(1995 + (sum(map(ord, code)) + offset) % 25, 1 + offset % 12, 1)


def demo_statuses() -> list[ControlStatusCreate]:
    out: list[ControlStatusCreate] = []
    for country in ALL:
        for n, code in enumerate(CORE):
            out.append(
                ControlStatusCreate(
                    substance=code, jurisdiction=country, schedule="Narcotic drugs, list I",
                    in_force=_day(country, n), legal_reference="Illustrative national drug law", source=ILLUSTRATIVE,
                )
            )  # fmt: skip
    for n, (code, schedule, countries) in enumerate(PARTIAL):
        for country in countries:
            out.append(
                ControlStatusCreate(
                    substance=code, jurisdiction=country, schedule=schedule, in_force=_day(country, 20 + n),
                    legal_reference="Illustrative national list", source=ILLUSTRATIVE,
                )
            )  # fmt: skip
    for country, group, schedule, day, reference, source in CLASS_WIDE:
        out.append(
            ControlStatusCreate(
                group=group, jurisdiction=country, schedule=schedule, in_force=day, legal_reference=reference,
                source=source,
            )
        )  # fmt: skip
    return out


def load_demo_scheduling(platform: Platform, session: Session, actor: Actor) -> int:
    """Record the demo statuses as ``actor`` (a platform admin); returns how many were added."""
    added = 0
    for data in demo_statuses():
        added += platform.scheduling.record(session, actor, data).outcome == "added"
    return added
