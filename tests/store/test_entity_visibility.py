"""The visibility filter applied to FtM entities equals the Python rule, as for intelligence reports.

The worlds are the oracle's (tests/store/test_visibility_oracle.py): agencies, memberships starting and
ending around today, agreements, and records with any distribution and any named targets, inserted here
as ``entities`` rows with their audience. For every agency and day, ``visible(Entity, ...)`` and the
rule applied to each entity's audience must both equal ``domain.sharing.can_see``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, example, given, settings
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from interdict.domain.sharing import Distribution, SharingFacts, can_see
from interdict.services.sharing import ResolvedDistribution, audience_for
from interdict.store.db import make_engine
from interdict.store.models import (
    Audience,
    Entity,
    RecordShare,
)
from interdict.store.visibility import viewer_context, visible
from tests.store.test_visibility_oracle import (
    BOUNDARIES,
    DAYS,
    EMPTY_AND_UNKNOWN,
    NOW,
    WorldSpec,
    insert_structure,
    python_world,
    world_specs,
)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    e = make_engine(db_url)
    yield e
    e.dispose()


def check_entities(engine: Engine, spec: WorldSpec) -> int:
    """Insert ``spec`` with entities as its records; compare SQL with Python; roll back. Returns how
    many (viewer, day, foreign entity) pairs were visible, so callers can see the rule was exercised."""
    foreign = 0
    with Session(engine) as s:
        agencies, mechanisms, author = insert_structure(s, spec, "ENV")
        agency_name = {ag.id: f"AG{i}" for i, ag in enumerate(agencies)}
        mechanism_name = {me.id: f"MX{j}" for j, me in enumerate(mechanisms)}
        facts: dict[str, SharingFacts] = {}
        audiences: dict[str, int] = {}
        for n, r in enumerate(spec.records):
            ref = str(uuid.uuid4())
            agency_ids = {agencies[t.index].id if t.index is not None else t.raw_id for t in r.agencies}
            mechanism_ids = {
                mechanisms[t.index].id if t.index is not None else t.raw_id for t in r.mechanisms
            }
            owner = agencies[r.owner].id
            audience = audience_for(
                s,
                owner,
                ResolvedDistribution(
                    r.distribution,
                    frozenset(i for i in agency_ids if i is not None),
                    frozenset(i for i in mechanism_ids if i is not None),
                    (),
                ),
                r.personal,
            )
            audiences[ref] = audience
            s.add(
                Entity(
                    uuid=ref,
                    ftm_id=f"e{n}",
                    schema="Person",
                    caption="p",
                    properties={},
                    audience_id=audience,
                    source="test",
                    owner_agency_id=owner,
                    distribution=r.distribution.value,
                    contains_personal_data=r.personal,
                    created_at=NOW,
                    updated_at=NOW,
                    created_by_id=author.id,
                    updated_by_id=author.id,
                )
            )
            s.add_all(
                [RecordShare(record_uuid=ref, target_kind="agency", target_id=i) for i in agency_ids]
                + [RecordShare(record_uuid=ref, target_kind="mechanism", target_id=i) for i in mechanism_ids]
            )
            facts[ref] = SharingFacts(
                owner=f"AG{r.owner}",
                distribution=r.distribution,
                agencies=frozenset(agency_name.get(i, f"?{i}") for i in agency_ids if i is not None),
                mechanisms=frozenset(mechanism_name.get(i, f"?{i}") for i in mechanism_ids if i is not None),
                contains_personal_data=r.personal,
            )
        s.flush()
        world = python_world(spec)
        mismatches: list[str] = []
        for day in DAYS:
            for ag in agencies:
                ctx = viewer_context(s, ag.id, day)
                name = agency_name[ag.id]
                want = {ref for ref, f in facts.items() if can_see(name, f, world, day)}
                got = set(s.scalars(select(Entity.uuid).where(visible(Entity, ctx))))
                seen_audiences = set(s.scalars(select(Audience.id).where(visible(Audience, ctx))))
                by_audience = {ref for ref, aid in audiences.items() if aid in seen_audiences}
                foreign += sum(1 for ref in want if facts[ref].owner != name)
                mismatches += [
                    f"{day} {name}: SQL {'shows' if r in got else 'hides'} {facts[r]}" for r in got ^ want
                ]
                mismatches += [f"{day} {name} by audience: {facts[r]}" for r in by_audience ^ want]
                for level in Distribution:
                    narrowed = set(s.scalars(select(Entity.uuid).where(visible(Entity, ctx, level))))
                    expected = {r for r in want if facts[r].distribution is level}
                    mismatches += [f"{day} {name} {level}: {facts[r]}" for r in narrowed ^ expected]
        s.rollback()
    assert not mismatches, "SQL filter and can_see disagree on entities:\n" + "\n".join(mismatches)
    return foreign


def test_entity_visibility_equals_python_rule(engine: Engine) -> None:
    assert check_entities(engine, BOUNDARIES) > 0
    check_entities(engine, EMPTY_AND_UNKNOWN)

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(spec=world_specs())
    @example(spec=BOUNDARIES)
    def check(spec: WorldSpec) -> None:
        check_entities(engine, spec)

    check()
