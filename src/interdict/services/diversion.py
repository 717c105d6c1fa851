"""Diversion indicators on pre-export notifications: evaluation per authority, rule settings, and the
annual legitimate requirements.

**Evaluation** (:meth:`DiversionService.flags_for`). A notification has two authorities: the exporting
one (its owner) and the importing one. Each gets its own flags, raised by the rules it switched on, with
its parameters, from what it may see: the other notifications through the one visibility filter
(``store.visibility.visible``) with that authority as the viewer, and the cross-check of the parties
against the entities visible to it and the published watch lists. A matching entity the authority may not
see is never used, and no blind hit is raised: the evaluation runs without a person asking, and a blind
hit would tell the entity's owner that this authority searched for the party; an analyst who wants that
runs the cross-check by hand. Each flag names its agency, and the pages show a viewer only its own
agency's flags, so nothing an authority may not see reaches it through a flag. One audit row per
authority evaluated (``diversion.evaluate``), plus a ``record.read`` row per entity of another agency
that a flag names.

**Re-evaluation** (:meth:`DiversionService.reevaluate`): the exporting or importing authority re-runs its
own rules now; its flags are replaced, the other authority's are kept. Audited.

**Settings** (:meth:`DiversionService.set_rule`): a supervisor or agency administrator switches the
agency's rules on or off and sets their parameters; every change is audited with the values before and
after. A rule without a stored setting is on with its defaults.

**Annual legitimate requirements** (:meth:`DiversionService.set_requirement`): public reference data,
readable by every signed-in user; written by the writers of the country's competent authority
(``PrecursorAuthority``) or a platform admin. The substance must be a precursor of the catalogue and the
quantity must convert to a mass (domain/quantities.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from interdict.domain import diversion as rules
from interdict.domain.errors import BadInputError, ForbiddenError
from interdict.domain.matching import Subject, compare
from interdict.domain.quantities import QuantityError, check_quantity, conversion, parse_unit
from interdict.domain.roles import Permission, Role
from interdict.domain.substances import catalogue, precursor_named
from interdict.schemas.diversion import ParamOut, RequirementIn, RequirementOut, RuleOut, RuleSettingIn
from interdict.services.audit import AuditEvent, AuditLog
from interdict.services.context import Actor
from interdict.services.records import agency_codes, read_events
from interdict.store.dialect import insert_ignore
from interdict.store.diversion import AnnualRequirement, DiversionRuleSetting
from interdict.store.identity import User
from interdict.store.pen import PrecursorAuthority, PreExportNotification
from interdict.store.structure import Agency
from interdict.store.visibility import ViewerContext, viewer_context, visible

RULE_EDITORS = frozenset({Role.SUPERVISOR, Role.AGENCY_ADMIN})
PARTIES = ("exporter", "importer", "consignee")
RULES_USER = "diversion-rules"


def _agency_of(actor: Actor) -> int:
    if actor.agency_id is None:
        raise BadInputError("diversion rules belong to an agency: this needs a user of an agency")
    return actor.agency_id


class DiversionService:
    def __init__(self, audit: AuditLog) -> None:
        self.audit = audit

    # -- evaluation ------------------------------------------------------------------------------------
    def flags_for(
        self, session: Session, notification: PreExportNotification, actor: Actor | None = None
    ) -> list[dict[str, Any]]:
        """The flags of ``notification`` for its exporting and its importing authority, each raised by the
        rules that authority switched on and read from what that authority may see:
        ``[{"rule": str, "agency": code, "reason": str, "details": {...}}]``. ``actor`` (optional): the
        user notifying, whose time, request and node the evaluation takes; the notification time else."""
        now = actor.now if actor is not None else notification.notified_at
        out: list[dict[str, Any]] = []
        for agency_id in dict.fromkeys((notification.owner_agency_id, notification.importing_agency_id)):
            out += self._evaluate(session, notification, self._authority(session, agency_id, now, actor))
        return out

    def reevaluate(
        self, session: Session, actor: Actor, ref: str
    ) -> tuple[PreExportNotification, list[dict[str, Any]]]:
        """Re-run the caller's authority's rules on the notification ``ref`` (its reference or uuid) now and
        replace that authority's flags; the notification and the caller's new flags."""
        agency_id = _agency_of(actor)
        from interdict.services.pen import find_notification  # pen.py holds this service: imported here

        notification = find_notification(session, actor, ref, lock=True)  # first: unseen is "not found" for all
        if agency_id not in (notification.owner_agency_id, notification.importing_agency_id):
            raise ForbiddenError("only the exporting or the importing authority evaluates a notification's rules")
        if not actor.can(Permission.WRITE_RECORDS):
            raise ForbiddenError("your roles do not allow you to re-evaluate diversion indicators")
        mine = self._evaluate(session, notification, actor)
        code = actor.agency_code
        notification.flags = [f for f in notification.flags if f.get("agency") != code] + mine
        session.flush()
        self.audit.record(session, actor, AuditEvent(
            "diversion.reevaluate", "ok", "pen_notification", notification.uuid,
            agency_codes(session, [notification.owner_agency_id]).get(notification.owner_agency_id),
            notification.distribution, {"reference": notification.reference, "flags": [f["rule"] for f in mine]}))
        return notification, mine

    @staticmethod
    def _authority(session: Session, agency_id: int, now: datetime, base: Actor | None) -> Actor:
        """Who the evaluation acts as: the authority itself, by its rules, at ``now``."""
        if base is not None and base.agency_id == agency_id:
            return replace(base, now=now)
        agency = session.get(Agency, agency_id)
        return Actor(user_id=None, username=RULES_USER, agency_id=agency_id,
                     agency_code=agency.code if agency else None, roles=frozenset({Role.READER}), now=now,
                     request_id=base.request_id if base else None, node=base.node if base else "local",
                     via="rules")

    def _evaluate(self, session: Session, notification: PreExportNotification, actor: Actor) -> list[dict[str, Any]]:
        assert actor.agency_id is not None
        settings = self.effective(session, actor.agency_id)
        if not any(s.enabled for s in settings.values()):
            return []
        notice = notice_of(notification)
        evidence, disclosed = self._evidence(session, actor, notification, notice, settings)
        flags = rules.evaluate(notice, evidence, settings)
        named = {h["ref"] for f in flags if f.rule == "crosscheck_hit" for h in f.details["hits"]}
        shown = [e for e in disclosed if e.uuid in named]
        codes = agency_codes(session, {e.owner_agency_id for e in shown})
        events = read_events(actor, shown, "entity", "diversion", codes)
        events.append(AuditEvent("diversion.evaluate", "ok", "pen_notification", notification.uuid, None, None,
                                 {"reference": notification.reference, "flags": [f.rule for f in flags]}))
        self.audit.record_many(session, actor, events)
        return [{"rule": f.rule, "agency": actor.agency_code, "reason": f.reason, "details": f.details} for f in flags]

    def _evidence(
        self, session: Session, actor: Actor, notification: PreExportNotification, notice: rules.Notice,
        settings: dict[str, rules.RuleSetting],
    ) -> tuple[rules.Evidence, list[Any]]:
        assert actor.agency_id is not None
        ctx = viewer_context(session, actor.agency_id, actor.today)
        others = _others(session, notification, ctx, settings)
        requirement = None
        if settings["excess_quantity"].enabled:
            requirement = _requirement(session, notice.importing_country, notice.substance, notice.ship_date.year)
        hits: tuple[rules.Hit, ...] = ()
        disclosed: list[Any] = []
        if settings["crosscheck_hit"].enabled:
            threshold = float(settings["crosscheck_hit"].params["threshold"])
            hits, disclosed = _party_hits(session, ctx, notification, threshold)
        return rules.Evidence(others, requirement, hits), disclosed

    # -- settings --------------------------------------------------------------------------------------
    def effective(self, session: Session, agency_id: int) -> dict[str, rules.RuleSetting]:
        stored = {
            row.rule: rules.RuleSetting(row.enabled, dict(row.params))
            for row in session.scalars(select(DiversionRuleSetting).where(DiversionRuleSetting.agency_id == agency_id))
        }
        return rules.effective(stored)

    def settings(self, session: Session, actor: Actor) -> list[RuleOut]:
        """Every rule as the actor's agency runs it, with its description and parameters."""
        agency_id = _agency_of(actor)
        rows = {
            row.rule: (row, name)
            for row, name in session.execute(
                select(DiversionRuleSetting, User.username)
                .outerjoin(User, User.id == DiversionRuleSetting.updated_by_id)
                .where(DiversionRuleSetting.agency_id == agency_id)
            )
        }
        current = self.effective(session, agency_id)
        out = []
        for code, rule in rules.RULES.items():
            row, name = rows.get(code, (None, None))
            setting = current[code]
            params = [ParamOut(name=p.name, label=p.label, kind=p.kind, value=setting.params[p.name], default=p.default,
                               minimum=p.minimum, maximum=p.maximum, description=p.description) for p in rule.params]
            out.append(RuleOut(code=code, label=rule.label, description=rule.description, enabled=setting.enabled,
                               params=params, customised=row is not None,
                               updated_by=(name or RULES_USER) if row is not None else None,
                               updated_at=row.updated_at if row is not None else None))
        return out

    @staticmethod
    def may_edit_rules(actor: Actor) -> bool:
        return actor.agency_id is not None and not actor.roles.isdisjoint(RULE_EDITORS)

    def set_rule(self, session: Session, actor: Actor, rule: str, data: RuleSettingIn) -> RuleOut:
        """Switch one rule of the actor's agency on or off and change its parameters (supervisors and agency
        administrators). Parameters not given keep their value."""
        agency_id = _agency_of(actor)
        rules.rule_of(rule)
        if not self.may_edit_rules(actor):
            raise ForbiddenError("only a supervisor or an agency administrator may change the agency's diversion rules")
        given = rules.check_params(rule, data.params)
        before = self.effective(session, agency_id)[rule]
        enabled = before.enabled if data.enabled is None else data.enabled
        params = {**before.params, **given}
        insert_ignore(session, DiversionRuleSetting, {"agency_id": agency_id, "rule": rule, "enabled": enabled,
                                                      "params": params, "updated_by_id": actor.user_id,
                                                      "updated_at": actor.now})
        row = session.scalars(
            select(DiversionRuleSetting)
            .where(DiversionRuleSetting.agency_id == agency_id, DiversionRuleSetting.rule == rule)
            .with_for_update().execution_options(populate_existing=True)
        ).one()
        row.enabled, row.params, row.updated_by_id, row.updated_at = enabled, params, actor.user_id, actor.now
        session.flush()
        detail = {"rule": rule, "before": {"enabled": before.enabled, "params": before.params},
                  "after": {"enabled": enabled, "params": params}}
        self.audit.record(session, actor, AuditEvent("diversion.rule_set", "ok", "diversion_rule", None,
                                                     actor.agency_code, None, detail))
        return next(r for r in self.settings(session, actor) if r.code == rule)

    # -- annual legitimate requirements -----------------------------------------------------------------
    def requirements(
        self, session: Session, actor: Actor, country: str | None = None, substance: str | None = None,
        year: int | None = None, limit: int = 100, offset: int = 0,
    ) -> tuple[list[RequirementOut], bool]:
        """The stated requirements, by country, substance and year (newest first); public to every user."""
        stmt = select(AnnualRequirement, User.username).outerjoin(User, User.id == AnnualRequirement.updated_by_id)
        if country:
            stmt = stmt.where(AnnualRequirement.country == _country(country))
        if substance:
            stmt = stmt.where(AnnualRequirement.substance == precursor_named(substance).code)
        if year is not None:
            stmt = stmt.where(AnnualRequirement.year == year)
        stmt = stmt.order_by(AnnualRequirement.country, AnnualRequirement.substance, AnnualRequirement.year.desc())
        rows = session.execute(stmt.limit(limit + 1).offset(offset)).all()
        return [_requirement_out(r, name) for r, name in rows[:limit]], len(rows) > limit

    def maintained_countries(self, session: Session, actor: Actor) -> list[str] | None:
        """The countries whose requirements the actor may write; ``None`` for every country (platform admin)."""
        if Role.PLATFORM_ADMIN in actor.roles:
            return None
        if actor.agency_id is None or not actor.can(Permission.WRITE_RECORDS):
            return []
        return sorted(session.scalars(
            select(PrecursorAuthority.country).where(PrecursorAuthority.agency_id == actor.agency_id)))

    def set_requirement(self, session: Session, actor: Actor, data: RequirementIn) -> RequirementOut:
        """Create or replace one country's requirement for a precursor and a year."""
        country = _country(data.country)
        errors: dict[str, str] = {}
        substance = None
        try:
            substance = precursor_named(data.substance)
        except BadInputError as exc:
            errors.update(exc.errors)
        kg = None
        if substance is not None:
            try:
                kg = _to_kg(substance, data.quantity, data.unit)
            except QuantityError as exc:
                errors[exc.field] = exc.message
        if errors or substance is None or kg is None:
            raise BadInputError("the requirement is not valid: " + "; ".join(f"{k}: {v}" for k, v in errors.items()),
                                errors)
        allowed = self.maintained_countries(session, actor)
        if allowed is not None and country not in allowed:
            raise ForbiddenError(f"only the writers of {country}'s competent authority for precursors or a platform "
                                 "admin may state its annual legitimate requirements")
        key = {"country": country, "substance": substance.code, "year": data.year}
        values = {"quantity": data.quantity, "unit": parse_unit(data.unit).value, "quantity_kg": kg,
                  "source": data.source, "note": data.note, "updated_by_id": actor.user_id, "updated_at": actor.now}
        insert_ignore(session, AnnualRequirement, {**key, **values})
        row = session.scalars(select(AnnualRequirement).filter_by(**key).with_for_update()
                              .execution_options(populate_existing=True)).one()
        before = {"quantity": row.quantity, "unit": row.unit, "quantity_kg": row.quantity_kg}
        for name, value in values.items():
            setattr(row, name, value)
        session.flush()
        self.audit.record(session, actor, AuditEvent("diversion.requirement_set", "ok", "annual_requirement", None,
                                                     None, None, {**key, "before": before, "quantity_kg": kg,
                                                                  "quantity": data.quantity, "unit": row.unit}))
        return _requirement_out(row, actor.username)


# -- helpers ----------------------------------------------------------------------------------------------


def notice_of(n: PreExportNotification) -> rules.Notice:
    return rules.Notice(
        reference=n.reference, exporting_country=n.exporting_country, importing_country=n.importing_country,
        exporter=n.exporter, importer=n.importer, consignee=n.consignee or "", substance=n.substance,
        mass_kg=n.mass_kg, ship_date=n.ship_date, notified_at=n.notified_at, state=n.state,
        route=rules.legs_of(n.route or []), transit_countries=tuple(c.upper() for c in n.transit_countries or []),
    )


_NOTICE_COLUMNS = (
    PreExportNotification.reference, PreExportNotification.exporting_country,
    PreExportNotification.importing_country, PreExportNotification.exporter, PreExportNotification.importer,
    PreExportNotification.consignee, PreExportNotification.substance, PreExportNotification.mass_kg,
    PreExportNotification.ship_date, PreExportNotification.notified_at, PreExportNotification.state,
)


def _others(
    session: Session, n: PreExportNotification, ctx: ViewerContext, settings: dict[str, rules.RuleSetting]
) -> tuple[rules.Notice, ...]:
    """The other notifications the viewer may see that an enabled rule could look at: those to the same
    country (quantities, consignees), those objected to (earlier objections), those of the same substance
    notified within the split-order window."""
    model = PreExportNotification
    wanted = []
    if settings["excess_quantity"].enabled or settings["new_consignee"].enabled:
        wanted.append(model.importing_country == n.importing_country)
    if settings["prior_objection"].enabled:
        wanted.append(model.state == "objected")
    if settings["split_order"].enabled:
        days = timedelta(days=int(settings["split_order"].params["window_days"]) + 1)
        wanted.append(and_(model.substance == n.substance, model.notified_at >= n.notified_at - days,
                           model.notified_at <= n.notified_at + days))
    if not wanted:
        return ()
    rows = session.execute(
        select(*_NOTICE_COLUMNS).where(model.id != n.id, or_(*wanted), visible(model, ctx)).order_by(model.id)
    ).all()
    return tuple(rules.Notice(reference=r.reference, exporting_country=r.exporting_country,
                              importing_country=r.importing_country, exporter=r.exporter, importer=r.importer,
                              consignee=r.consignee or "", substance=r.substance, mass_kg=r.mass_kg,
                              ship_date=r.ship_date, notified_at=r.notified_at, state=r.state) for r in rows)


def _requirement(session: Session, country: str, substance: str, year: int) -> rules.Requirement | None:
    row = session.scalars(select(AnnualRequirement).filter_by(country=country, substance=substance, year=year)).first()
    if row is None:
        return None
    return rules.Requirement(row.country, row.substance, row.year, row.quantity_kg, row.source)


def _party_hits(
    session: Session, ctx: ViewerContext, n: PreExportNotification, threshold: float
) -> tuple[tuple[rules.Hit, ...], list[Any]]:
    """The parties cross-checked as the viewer: entities it may see (never others: no blind hits, see the
    module docstring) and the published watch lists. Also the entity rows that matched."""
    from interdict.services.entity_crosscheck import find_candidates
    from interdict.services.entity_rules import subject_of
    from interdict.services.watchlists import screen

    hits: list[rules.Hit] = []
    matched: list[Any] = []
    for party in PARTIES:
        name = (getattr(n, party) or "").strip()
        if not name:
            continue
        subject = Subject.build(f"pen:{party}", schema="LegalEntity", names=[name],
                                address=getattr(n, f"{party}_address") or "")
        found, _ = find_candidates(session, ctx, subject)
        seen = [row for row in found.rows if row.seen]
        codes = agency_codes(session, {row.owner_agency_id for row in seen})
        for row in seen:
            score = compare(subject, subject_of(row.uuid, row.schema, row.properties)).score
            if score >= threshold:
                label = f"entity {row.caption!r} of {codes.get(row.owner_agency_id, '?')}"
                hits.append(rules.Hit(party, name, "entity", row.uuid, label, round(score, 4)))
                matched.append(row)
        for h in screen(session, subject, threshold=threshold):
            label = f"{h.list_title} entry {h.entry_id} {h.caption!r}"
            hits.append(rules.Hit(party, name, "watch_list", f"{h.list_code}:{h.entry_id}", label, h.score))
    return tuple(hits), matched


def _country(code: str) -> str:
    import pycountry

    value = (code or "").strip().upper()
    if len(value) != 2 or pycountry.countries.get(alpha_2=value) is None:
        raise BadInputError(f"country {code!r} is not an ISO 3166-1 alpha-2 code", {"country": "e.g. TH, MM, LA"})
    return value


def _to_kg(substance: Any, quantity: float, unit: str) -> float:
    check_quantity(quantity)
    parsed = parse_unit(unit)
    conv = conversion(substance, parsed)
    if conv.factor_kg is None:
        raise QuantityError(f"unit {parsed.value!r} gives no mass for {substance.name}: state the mass "
                            "(expected a mass unit such as kg, g or t)", field="unit")
    return float(Decimal(str(quantity)) * conv.factor_kg)


def _requirement_out(row: AnnualRequirement, username: str | None) -> RequirementOut:
    substance = catalogue().get(row.substance)
    return RequirementOut(country=row.country, substance=row.substance,
                          substance_name=substance.name if substance else row.substance, year=row.year,
                          quantity=row.quantity, unit=row.unit, quantity_kg=row.quantity_kg, source=row.source,
                          note=row.note, updated_by=username, updated_at=row.updated_at)
