"""The viewer-context cache (store/visibility.py) never outlives the structure it was read from: every
change to memberships and agreements moves the structure generation (store/generation.py) in its own
transaction, so the next request sees it; a transaction that changed the structure neither uses nor
fills the cache, so a rolled-back change leaves no trace; databases never share an entry."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from interdict.store import generation
from interdict.store.structure import Agency, MechanismMember, StructureGeneration
from interdict.store.visibility import viewer_context
from tests.factories import World

DAY = date(2026, 6, 1)


def _context(world: World, code: str):  # type: ignore[no-untyped-def]
    with world.p.db.unit() as s:
        return viewer_context(s, world.agency_id(code), DAY)


def test_a_change_counts_from_the_next_request(world: World) -> None:
    world.agency("GN-A")
    world.agency("GN-B")
    world.mechanism("GN-M", ["GN-A"])
    before = _context(world, "GN-B")
    assert before.mechanism_ids == frozenset() and _context(world, "GN-B") is before  # cached
    with world.p.db.unit() as s:
        state = generation.current(s)
    world.mechanism("GN-M2", ["GN-B"])
    with world.p.db.unit() as s:
        assert generation.current(s) != state
    joined = _context(world, "GN-B")
    assert len(joined.mechanism_ids) == 1
    world.leave("GN-M2", "GN-B", date(2026, 5, 1))
    assert _context(world, "GN-B").mechanism_ids == frozenset()
    world.agreement(agencies=["GN-A", "GN-B"], personal_data=True)
    assert _context(world, "GN-B").personal_data_partner_ids == frozenset({world.agency_id("GN-A")})


def test_a_rolled_back_change_is_never_cached(world: World) -> None:
    world.agency("GR-A")
    world.mechanism("GR-M", ["GR-A"])
    world.agency("GR-B")
    b = world.agency_id("GR-B")
    assert _context(world, "GR-B").mechanism_ids == frozenset()

    class Abort(Exception):
        pass

    with pytest.raises(Abort), world.p.db.unit() as s:
        m_id = s.scalar(select(MechanismMember.mechanism_id).limit(1))
        s.add(MechanismMember(mechanism_id=m_id, agency_id=b, joined=date(2020, 1, 1)))
        s.flush()
        assert generation.current(s) is None  # this transaction changed the structure
        inside = viewer_context(s, b, DAY)
        assert inside.mechanism_ids == frozenset({m_id})  # it sees its own change ...
        raise Abort
    assert _context(world, "GR-B").mechanism_ids == frozenset()  # ... and nobody keeps it


def test_a_bulk_statement_moves_the_generation_too(world: World) -> None:
    world.agency("GB-A")
    with world.p.db.unit() as s:
        state = generation.current(s)
        s.execute(update(Agency).where(Agency.code == "GB-A").values(name_en="Renamed"))
        assert generation.current(s) is None
    with world.p.db.unit() as s:
        now = generation.current(s)
        assert now is not None and state is not None and now[1] > state[1] and now[0] == state[0]
        assert s.scalar(select(StructureGeneration.value)) == now[1]
