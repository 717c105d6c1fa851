"""The SQL half of the sharing rule. Every read of shared records goes through ``visible()``.

``viewer_context`` reads, inside the caller's transaction, what the rule needs to know about the
viewing agency today (its current mechanisms and its personal-data partners), so a change of
membership or agreement counts from the very next request. What it derived is kept per process for
the same database, agency, day and *structure generation* (store/generation.py: a counter every
change to agencies, mechanisms, memberships and agreements moves in its own transaction), so a request
costs one read of that counter instead of three queries, and a change still counts from the next
request; a transaction that changed the structure itself never uses or fills the cache. ``visible`` turns that into a WHERE
clause over any table with ``SharedColumns``. ``interdict.domain.sharing.can_see`` is the same rule in
Python; tests/store/test_visibility_oracle.py holds the two equal.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, or_, select, true
from sqlalchemy.orm import Session

from interdict.domain.sharing import Distribution
from interdict.store import generation
from interdict.store.records import RecordShare
from interdict.store.structure import Agreement, MechanismMember


@dataclass(frozen=True)
class ViewerContext:
    agency_id: int
    mechanism_ids: frozenset[int]
    personal_data_partner_ids: frozenset[int]
    day: date


def _current_members(day: date) -> ColumnElement[bool]:
    return and_(
        MechanismMember.joined <= day,
        or_(MechanismMember.left.is_(None), MechanismMember.left > day),
    )


_CACHE: OrderedDict[tuple[str, str, int, int, date], ViewerContext] = OrderedDict()
_CACHE_SIZE = 4096
_LOCK = threading.Lock()


def viewer_context(session: Session, agency_id: int, day: date) -> ViewerContext:
    """The viewer's context, from the cache when the structure has not changed (module docstring)."""
    state = generation.current(session)
    if state is None:
        return _read_context(session, agency_id, day)
    key = (str(session.get_bind().engine.url), state[0], state[1], agency_id, day)
    with _LOCK:
        found = _CACHE.get(key)
        if found is not None:
            _CACHE.move_to_end(key)
            return found
    ctx = _read_context(session, agency_id, day)
    with _LOCK:
        _CACHE[key] = ctx
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return ctx


def _read_context(session: Session, agency_id: int, day: date) -> ViewerContext:
    mechanisms = frozenset(
        session.scalars(
            select(MechanismMember.mechanism_id).where(
                MechanismMember.agency_id == agency_id, _current_members(day)
            )
        )
    )
    in_force = and_(
        Agreement.allows_personal_data.is_(True),
        Agreement.valid_from <= day,
        or_(Agreement.valid_to.is_(None), Agreement.valid_to >= day),
    )
    partners: set[int] = set()
    for a, b in session.execute(
        select(Agreement.agency_a_id, Agreement.agency_b_id).where(
            in_force,
            Agreement.mechanism_id.is_(None),
            or_(Agreement.agency_a_id == agency_id, Agreement.agency_b_id == agency_id),
        )
    ):
        partners.update(x for x in (a, b) if x is not None)
    if mechanisms:
        pd_mechanisms = select(Agreement.mechanism_id).where(in_force, Agreement.mechanism_id.in_(mechanisms))
        partners.update(
            session.scalars(
                select(MechanismMember.agency_id).where(
                    MechanismMember.mechanism_id.in_(pd_mechanisms), _current_members(day)
                )
            )
        )
    partners.discard(agency_id)
    return ViewerContext(agency_id, mechanisms, frozenset(partners), day)


def _named(model: Any, kind: str, ids: frozenset[int] | set[int]) -> ColumnElement[bool]:
    if not ids:
        return false()
    # A correlated probe of the record_shares primary key, one per row the scan reaches. Written as
    # a scalar subquery rather than EXISTS on purpose: PostgreSQL turns such an EXISTS into a hashed
    # subplan that first reads every share naming the viewer's mechanisms (70,000 rows for a member
    # of three busy mechanisms at 1M records) on every request, when a page of 50 needs a few hundred
    # probes. See bench/README.md.
    probe = (
        select(RecordShare.target_id)
        .where(
            RecordShare.record_uuid == model.uuid,
            RecordShare.target_kind == kind,
            RecordShare.target_id.in_(sorted(ids)),
        )
        .limit(1)
        .scalar_subquery()
    )
    return probe.is_not(None)


def _branches(model: Any, viewer: ViewerContext) -> dict[Distribution, ColumnElement[bool]]:
    """For each distribution level, what makes a record of that level reach the viewer."""
    return {
        Distribution.AGENCY: false(),
        Distribution.AGENCIES: _named(model, "agency", {viewer.agency_id}),
        Distribution.MECHANISMS: _named(model, "mechanism", viewer.mechanism_ids),
        Distribution.ALL: true(),
    }


def _personal_ok(model: Any, viewer: ViewerContext) -> ColumnElement[bool]:
    """A record with personal data reaches a non-owner only from a personal-data partner."""
    ok: ColumnElement[bool] = model.contains_personal_data.is_(False)
    if viewer.personal_data_partner_ids:
        ok = or_(ok, model.owner_agency_id.in_(sorted(viewer.personal_data_partner_ids)))
    return ok


def visible(
    model: Any, viewer: ViewerContext, distribution: Distribution | None = None
) -> ColumnElement[bool]:
    """WHERE clause: rows of ``model`` (a table with SharedColumns) the viewing agency may see.

    ``distribution``: only records of that level, with only its branch of the rule; where that branch
    cannot reach the viewer, what is left is the owner's own records of that level, an indexed look-up
    instead of a scan of every record of the level.
    """
    branches = _branches(model, viewer)
    if distribution is None:
        reaches = or_(
            *(
                and_(model.distribution == d.value, b)
                for d, b in branches.items()
                if d is not Distribution.AGENCY
            )
        )
    else:
        reaches = and_(model.distribution == distribution.value, branches[distribution])
        if distribution is Distribution.AGENCY or (
            distribution is Distribution.MECHANISMS and not viewer.mechanism_ids
        ):
            return and_(model.owner_agency_id == viewer.agency_id, model.distribution == distribution.value)
    personal_ok = _personal_ok(model, viewer)
    rule = or_(model.owner_agency_id == viewer.agency_id, and_(reaches, personal_ok, true()))
    # Wrapped in CASE so planners evaluate the rule row by row along the index that serves the ORDER
    # BY (created_at, or the filter's index) and stop after a page. Left as a bare OR, SQLite unions
    # index lookups on owner and distribution (MULTI-INDEX OR) and PostgreSQL builds a BitmapOr: both
    # read and sort hundreds of thousands of rows to return 50 (seconds at 1M records).
    checked = case((rule, true()), else_=false())
    return checked if distribution is None else and_(model.distribution == distribution.value, checked)
