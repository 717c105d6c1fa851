"""Candidates by shared keys (``entity_crosscheck.find_keyed``), weighed in the database, on both stores:
the rarer the keys an id shares the heavier it is, keys past the cap are set aside, and the answer is
the one a plain computation in Python gives."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from interdict.services.entity_crosscheck import find_keyed, key_weight
from interdict.services.platform import Platform

TABLE = "scratch_keys"


@pytest.fixture
def session(platform: Platform) -> Iterator[Session]:
    with platform.db.unit() as s:
        s.execute(
            text(f"CREATE TABLE {TABLE} (key VARCHAR(64), item_id INTEGER, PRIMARY KEY (key, item_id))")
        )
        yield s
        s.rollback()


def put(session: Session, rows: dict[str, list[int]]) -> None:
    for key, ids in rows.items():
        for i in ids:
            session.execute(text(f"INSERT INTO {TABLE} (key, item_id) VALUES (:k, :i)"), {"k": key, "i": i})


def expected(
    rows: dict[str, list[int]], keys: list[str], cap: int, most: int, exclude: set[int]
) -> tuple[list[int], list[str], int]:
    """The same answer, computed in Python from the rows."""
    carried = {k: rows[k] for k in keys if rows.get(k)}
    common = sorted(k for k, ids in carried.items() if len(ids) > cap)
    total: dict[int, int] = defaultdict(int)
    for ids in carried.values():
        if len(ids) <= cap:
            for i in ids:
                if i not in exclude:
                    total[i] += key_weight(len(ids))
    ranked = sorted(total, key=lambda i: (-total[i], i))
    return ranked[:most], common, len(ranked)


def test_rare_keys_weigh_more_and_common_keys_are_set_aside(session: Session) -> None:
    rows = {
        "passport": [7],  # one holder: the heaviest key
        "name": [1, 2, 3, 7, 8],
        "birth": [1, 2, 3, 4, 5, 6, 8],
        "broad": list(range(100, 120)),  # past the cap of 10
    }
    put(session, rows)
    ids, common, sharing = find_keyed(
        session, TABLE, "item_id", ["birth", "broad", "name", "passport", "nobody"], 10, 3
    )
    # The passport holder first, though it shares no birth date; then the holders of name and birth date,
    # the lowest id first among equals.
    assert ids == [7, 1, 2]
    assert common == ["broad"]
    assert sharing == 8  # ids 1..8: every id sharing a usable key
    ids, _, sharing = find_keyed(session, TABLE, "item_id", ["name", "passport"], 10, 50, exclude=[7, 2])
    assert ids == [1, 3, 8] and sharing == 3


def test_no_usable_key(session: Session) -> None:
    put(session, {"broad": list(range(20))})
    assert find_keyed(session, TABLE, "item_id", [], 10, 5) == ([], [], 0)
    assert find_keyed(session, TABLE, "item_id", ["broad", "absent"], 10, 5) == ([], ["broad"], 0)


def test_the_database_weighs_as_python_does(session: Session) -> None:
    rng = random.Random(8)
    rows = {f"k{k}": sorted(rng.sample(range(300), rng.randint(1, 40))) for k in range(60)}
    put(session, rows)
    for _ in range(25):
        keys = sorted([*rng.sample(sorted(rows), rng.randint(1, 25)), "absent"])
        cap, most = rng.choice([5, 20, 30, 1000]), rng.choice([1, 10, 50])
        exclude = set(rng.sample(range(300), rng.randint(0, 5)))
        got = find_keyed(session, TABLE, "item_id", keys, cap, most, exclude)
        assert got == expected(rows, keys, cap, most, exclude), (keys, cap, most, exclude)
