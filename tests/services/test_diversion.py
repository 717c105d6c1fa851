"""Diversion indicators through the service: each authority's flags from what it may see, its settings,
re-evaluation, and the annual legitimate requirements. Notifications are built with the model directly
(``Pens``), their shares written as the sharing service writes them, so ``visible()`` applies."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from interdict.domain.errors import BadInputError, ForbiddenError, NotFoundError
from interdict.domain.sharing import Distribution
from interdict.schemas.diversion import RequirementIn, RuleSettingIn
from interdict.services.entities import EntityDraft
from interdict.services.platform import Platform
from interdict.services.sharing import DistributionRequest, ResolvedDistribution, store_targets
from interdict.store.audit import AuditRow
from interdict.store.diversion import DiversionRuleSetting
from interdict.store.entities import CrosscheckNotification
from interdict.store.pen import PrecursorAuthority, PreExportNotification
from tests.factories import World

_refs = itertools.count(1)


class Pens:
    """Agencies IN (exporting), TH (importing), CN (another exporter to TH), LA (a third party), each with an
    analyst and a supervisor, and notifications written straight to the model."""

    def __init__(self, world: World) -> None:
        self.w, self.p = world, world.p
        self.codes = {c: world.agency(f"{c}-PC", country=c) for c in ("IN", "TH", "CN", "LA")}
        self.analyst = {c: world.user(code, "analyst") for c, code in self.codes.items()}
        self.supervisor = {c: world.user(code, "supervisor") for c, code in self.codes.items()}
        self.ids = {c: world.agency_id(code) for c, code in self.codes.items()}
        with self.p.db.unit() as s:
            for c in ("IN", "TH", "CN"):
                s.add(PrecursorAuthority(country=c, agency_id=self.ids[c], designated_by_id=self.analyst[c].user_id,
                                         designated_at=world.clock()))

    def pen(self, by: str = "IN", to: str = "TH", flags: bool = False, transit: tuple[str, ...] = (),
            **fields: Any) -> PreExportNotification:
        """A notification from ``by``'s authority to ``to``'s, shared with it (and named transit authorities)."""
        now: datetime = fields.pop("notified_at", self.w.clock())
        author = self.analyst[by].user_id
        values: dict[str, Any] = {
            "uuid": str(uuid.uuid4()), "distribution": "agencies", "created_at": now, "updated_at": now,
            "owner_agency_id": self.ids[by], "created_by_id": author, "updated_by_id": author,
            "reference": f"PEN-{by}-2026-{next(_refs):06d}", "exporting_country": by, "importing_country": to,
            "importing_agency_id": self.ids[to], "exporter": f"{by} Chemicals Ltd", "importer": "Siam Pharma Co., Ltd.",
            "substance": "pseudoephedrine", "quantity": 50.0, "unit": "kg", "mass_kg": 50.0,
            "ship_date": date(2026, 7, 1), "notified_at": now, "answer_due": now.date() + timedelta(days=15),
            "state": "awaiting_answer", "route": [], "transit_countries": list(transit), "flags": [],
        }
        values.update(fields)
        targets = frozenset({self.ids[to], *(self.ids[c] for c in transit)})
        with self.p.db.unit() as s:
            n = PreExportNotification(**values)
            s.add(n)
            s.flush()
            store_targets(s, n.uuid, ResolvedDistribution(Distribution.AGENCIES, targets, frozenset(), ()))
            if flags:
                n.flags = self.p.diversion.flags_for(s, n)
                s.flush()
            s.expunge(n)
            return n

    def flags(self, ref: str) -> list[dict[str, Any]]:
        with self.p.db.unit() as s:
            stmt = select(PreExportNotification.flags).where(PreExportNotification.reference == ref)
            return list(s.scalars(stmt).one())

    def requirement(self, country: str, kg: float, substance: str = "pseudoephedrine", year: int = 2026) -> None:
        with self.p.db.unit() as s:
            self.p.diversion.set_requirement(s, self.w.console(), RequirementIn(
                country=country, substance=substance, year=year, quantity=kg, unit="kg", source="test"))

    def set_rule(self, country: str, rule: str, **body: Any) -> None:
        actor = self.w.actor(self.supervisor[country])
        with self.p.db.unit() as s:
            self.p.diversion.set_rule(s, actor, rule, RuleSettingIn(**body))


@pytest.fixture
def pens(world: World) -> Pens:
    return Pens(world)


def of(flags: list[dict[str, Any]], agency: str) -> list[str]:
    return [f["rule"] for f in flags if f["agency"] == agency]


def test_each_authority_counts_only_what_it_may_see(pens: Pens) -> None:
    pens.requirement("TH", 100)
    other = pens.pen(by="CN", mass_kg=80.0)
    n = pens.pen(flags=True)
    flags = pens.flags(n.reference)
    th = [f for f in flags if f["agency"] == pens.codes["TH"]]
    excess = next(f for f in th if f["rule"] == "excess_quantity")
    assert excess["details"]["others"] == [other.reference]
    assert excess["details"]["total_kg"] == 130
    assert "130 kg" in excess["reason"]
    # The exporting authority cannot see CN's notification: its total is its own 50 kg, no flag, no mention.
    assert "excess_quantity" not in of(flags, pens.codes["IN"])
    assert other.reference not in str([f for f in flags if f["agency"] == pens.codes["IN"]])
    assert {f["agency"] for f in flags} == {pens.codes["IN"], pens.codes["TH"]}


def test_settings_are_per_authority(pens: Pens) -> None:
    pens.set_rule("IN", "new_consignee", enabled=False)
    pens.set_rule("TH", "country_of_concern", params={"countries": ["MM"]})
    n = pens.pen(flags=True, transit=("LA",), route=[{"country": "MM", "place": "Yangon", "mode": "sea"}])
    flags = pens.flags(n.reference)
    assert "new_consignee" not in of(flags, pens.codes["IN"])
    assert "new_consignee" in of(flags, pens.codes["TH"])
    assert "country_of_concern" in of(flags, pens.codes["TH"])
    assert "country_of_concern" not in of(flags, pens.codes["IN"])
    assert not of(flags, pens.codes["LA"])  # a transit authority has no rules run for it


ADDRESS = "99 Rama IV Road, Khlong Toei, Bangkok 10110"


def test_crosscheck_uses_only_visible_entities_and_raises_no_blind_hit(pens: Pens, world: World) -> None:
    p = pens.p
    la, th = world.actor(pens.analyst["LA"]), world.actor(pens.analyst["TH"])
    with p.db.unit() as s:
        p.entities.create(s, la, EntityDraft(
            "Company", {"name": ["Siam Pharma Co., Ltd."], "address": [ADDRESS]}, None, DistributionRequest("agency")))
    n = pens.pen(flags=True, importer_address=ADDRESS)
    assert "crosscheck_hit" not in of(pens.flags(n.reference), pens.codes["TH"])
    with p.db.unit() as s:
        assert s.scalar(select(func.count(CrosscheckNotification.id))) == 0
        mine = p.entities.create(s, th, EntityDraft(
            "Company", {"name": ["Siam Pharma Co., Ltd."], "address": [ADDRESS.upper()]}, None,
            DistributionRequest("agency"))).uuid
    n2 = pens.pen(flags=True, importer_address=ADDRESS)
    flags = pens.flags(n2.reference)
    hit = next(f for f in flags if f["rule"] == "crosscheck_hit")
    assert hit["agency"] == pens.codes["TH"]
    assert [h["ref"] for h in hit["details"]["hits"]] == [mine]
    assert "crosscheck_hit" not in of(flags, pens.codes["IN"])


def test_prior_objection_and_split_order(pens: Pens, world: World) -> None:
    first = pens.pen(state="objected", mass_kg=60.0, notified_at=world.clock() - timedelta(days=5))
    n = pens.pen(flags=True, mass_kg=60.0)
    flags = of(pens.flags(n.reference), pens.codes["TH"])
    assert "prior_objection" in flags and "split_order" in flags
    objection = next(f for f in pens.flags(n.reference) if f["rule"] == "prior_objection")
    assert objection["details"]["objected"] == [first.reference]


def test_reevaluation_replaces_only_the_callers_flags(pens: Pens, world: World) -> None:
    p = pens.p
    n = pens.pen(flags=True, route=[{"country": "SG", "place": "Jurong", "free_trade_zone": True}])
    before = pens.flags(n.reference)
    assert "free_trade_zone" in of(before, pens.codes["TH"]) and "free_trade_zone" in of(before, pens.codes["IN"])
    pens.set_rule("TH", "free_trade_zone", enabled=False)
    th = world.actor(pens.analyst["TH"])
    with p.db.unit() as s:
        _, mine = p.diversion.reevaluate(s, th, n.reference)
    assert "free_trade_zone" not in [f["rule"] for f in mine]
    after = pens.flags(n.reference)
    assert of(after, pens.codes["IN"]) == of(before, pens.codes["IN"])
    assert "free_trade_zone" not in of(after, pens.codes["TH"])
    with p.db.unit() as s:
        assert s.scalar(select(func.count(AuditRow.seq)).where(AuditRow.action == "diversion.reevaluate")) == 1


def test_reevaluation_refusals(pens: Pens, world: World) -> None:
    p = pens.p
    n = pens.pen(transit=("CN",))
    reader = world.user(pens.codes["TH"], "reader")
    for who, ref, error in [
        (pens.analyst["LA"], n.reference, NotFoundError),  # may not see it: as if it did not exist
        (pens.analyst["LA"], "PEN-XX-2026-000000", NotFoundError),
        (pens.analyst["CN"], n.uuid, ForbiddenError),  # a transit authority sees it but has no rules on it
        (reader, n.reference, ForbiddenError),
    ]:
        actor = world.actor(who)
        with pytest.raises(error), p.db.unit() as s:
            p.diversion.reevaluate(s, actor, ref)


def test_rule_settings_need_a_supervisor_and_good_params(pens: Pens, world: World) -> None:
    p = pens.p
    analyst, supervisor, other = (world.actor(pens.analyst["TH"]), world.actor(pens.supervisor["TH"]),
                                  world.actor(pens.analyst["IN"]))
    with pytest.raises(ForbiddenError), p.db.unit() as s:
        p.diversion.set_rule(s, analyst, "split_order", RuleSettingIn(enabled=False))
    with pytest.raises(BadInputError) as err, p.db.unit() as s:
        p.diversion.set_rule(s, supervisor, "split_order",
                             RuleSettingIn(enabled=False, params={"window_days": 400}))
    assert "split_order" in err.value.detail and "400" in err.value.detail and "1 to 365" in err.value.detail
    with p.db.unit() as s:
        assert s.scalar(select(func.count()).select_from(DiversionRuleSetting)) == 0
    pens.set_rule("TH", "split_order", params={"window_days": 7})
    with p.db.unit() as s:
        rules = {r.code: r for r in p.diversion.settings(s, analyst)}
        others = {r.code: r for r in p.diversion.settings(s, other)}
        audited = s.scalars(select(AuditRow.detail).where(AuditRow.action == "diversion.rule_set")).one()
    assert rules["split_order"].enabled and rules["split_order"].customised
    assert {q.name: q.value for q in rules["split_order"].params} == {"window_days": 7, "threshold_kg": 100.0}
    assert not others["split_order"].customised
    assert '"window_days": 30' in audited and '"window_days": 7' in audited


def test_requirements_written_by_the_countrys_authority(pens: Pens, world: World) -> None:
    p = pens.p
    body = RequirementIn(country="TH", substance="acetic anhydride", year=2026, quantity=1000, unit="l")
    india, th, la = (world.actor(pens.analyst[c]) for c in ("IN", "TH", "LA"))
    with pytest.raises(ForbiddenError), p.db.unit() as s:
        p.diversion.set_requirement(s, india, body)
    with p.db.unit() as s:
        out = p.diversion.set_requirement(s, th, body)
    assert out.substance == "acetic_anhydride" and out.quantity_kg == pytest.approx(1080)
    with p.db.unit() as s:
        again = p.diversion.set_requirement(s, th, body.model_copy(update={"quantity": 1.5, "unit": "t"}))
        rows, more = p.diversion.requirements(s, la, country="th")
    assert again.quantity_kg == 1500
    assert [(r.substance, r.quantity_kg) for r in rows] == [("acetic_anhydride", 1500)] and not more


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"substance": "heroin"}, "substance", "not a precursor"),
        ({"substance": "unobtainium"}, "substance", "not in the catalogue"),
        ({"unit": "tablets"}, "unit", "tablets"),
        ({"unit": "bushels"}, "unit", "unknown unit"),
        ({"quantity": -5}, "quantity", "above zero"),
        ({"country": "XX"}, "country", "ISO 3166-1"),
    ],
)
def test_bad_requirements_are_refused(platform: Platform, world: World, fields: dict[str, Any], field: str,
                                      words: str) -> None:
    body = {"country": "TH", "substance": "ephedrine", "year": 2026, "quantity": 10, "unit": "kg", **fields}
    with pytest.raises(BadInputError) as err, platform.db.unit() as s:
        platform.diversion.set_requirement(s, world.console(), RequirementIn(**body))
    assert field in err.value.errors and words in err.value.detail


def test_flags_for_with_no_rules_on(pens: Pens) -> None:
    for country in ("IN", "TH"):
        for rule in ("excess_quantity", "new_consignee", "crosscheck_hit", "country_of_concern", "split_order",
                     "free_trade_zone", "prior_objection"):
            pens.set_rule(country, rule, enabled=False)
    n = pens.pen(flags=True, route=[{"country": "SG", "free_trade_zone": True}])
    assert pens.flags(n.reference) == []


def test_time_is_the_notification_time(pens: Pens) -> None:
    n = pens.pen(notified_at=datetime(2026, 3, 1, tzinfo=UTC))
    with pens.p.db.unit() as s:
        row = s.scalars(select(PreExportNotification).where(PreExportNotification.id == n.id)).one()
        flags = pens.p.diversion.flags_for(s, row)
        stamps = set(s.scalars(select(AuditRow.ts).where(AuditRow.action == "diversion.evaluate")))
    assert flags and stamps == {"2026-03-01T00:00:00.000000Z"}



def test_demo_is_idempotent(pens: Pens, world: World) -> None:
    from interdict.domain.roles import Role
    from interdict.schemas.users import UserCreate
    from interdict.services.demo_diversion import REQUIREMENTS, load_demo_diversion
    from interdict.store.diversion import AnnualRequirement

    p = pens.p
    code = pens.codes["TH"]
    with p.db.unit() as s:
        p.users.create(s, world.console(), UserCreate(username=f"{code.lower()}.supervisor", agency=code,
                                                      roles=[Role.SUPERVISOR], password="correct horse battery x1"))
    authors = {c: world.actor(pens.analyst[k]) for k, c in pens.codes.items()}
    counts = []
    for _ in range(2):
        with p.db.unit() as s:
            load_demo_diversion(p, s, authors)
        with p.db.unit() as s:
            counts.append((s.scalar(select(func.count(AnnualRequirement.id))),
                           s.scalar(select(func.count(AuditRow.seq)))))
    assert counts[0] == counts[1]
    assert counts[0][0] == 2 * sum(len(v) for v in REQUIREMENTS.values())
    with p.db.unit() as s:
        assert p.diversion.effective(s, pens.ids["TH"])["country_of_concern"].params["countries"] == ["LA", "MM"]
