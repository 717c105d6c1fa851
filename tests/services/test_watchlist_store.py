"""Published watch lists stored on the platform (services/watchlists.py), on SQLite and PostgreSQL:
import with provenance, all or nothing; the same file again changes nothing; a new version replaces
the old one in screening; every cross-check and every entity written are screened, and a hit names the
list, the entry and its programmes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from interdict.domain.errors import BadInputError, ForbiddenError
from interdict.services.entities import EntityDraft
from interdict.services.entity_rules import query_subject
from interdict.services.sharing import DistributionRequest
from interdict.services.watchlists import alerts_for
from interdict.store.audit import AuditRow
from interdict.store.watchlists import WatchList, WatchListEntry, WatchListKey
from tests.factories import World

EXCERPT = (Path(__file__).parents[1] / "data" / "ofac_sdn_excerpt.csv").read_bytes()


def _admin(world: World):  # type: ignore[no-untyped-def]
    return world.actor(world.user(world.agency("WL-PLAT"), "platform_admin"))


def test_import_is_provenanced_idempotent_and_admin_only(world: World) -> None:
    admin = _admin(world)
    analyst = world.actor(world.user(world.agency("WL-AG"), "analyst"))
    p = world.p
    with p.db.unit() as s:
        with pytest.raises(ForbiddenError):
            p.watchlists.import_list(s, analyst, EXCERPT, source="sdn.csv")
        done = p.watchlists.import_list(s, admin, EXCERPT, source="sdn.csv", published=date(2026, 11, 1))
    assert (done.code, done.entries, done.unchanged) == ("ofac-sdn", 8, False)
    with p.db.unit() as s:
        again = p.watchlists.import_list(s, admin, EXCERPT, source="sdn-copy.csv")
        assert again.unchanged and again.entries == 8
        (listed,) = p.watchlists.lists(s)
        assert (listed.published_on, listed.source, listed.entries) == (date(2026, 11, 1), "sdn.csv", 8)
        assert s.scalar(select(func.count()).select_from(WatchList)) == 1
        imports = s.scalars(select(AuditRow).where(AuditRow.action == "watchlist.import")).all()
        assert len(imports) == 1 and json.loads(imports[0].detail)["sha256"] == done.sha256


@pytest.mark.parametrize(
    ("data", "problem"),
    [(b"", "empty"), (b"name,birth\nx,y\n", "unrecognised list format"), (EXCERPT, "no entries under programmes")],
)
def test_a_refused_file_writes_nothing(world: World, data: bytes, problem: str) -> None:
    admin = _admin(world)
    with world.p.db.unit() as s, pytest.raises(BadInputError, match=problem):
        world.p.watchlists.import_list(s, admin, data, source="bad.csv", programs=["NO-SUCH-PROGRAMME"])
    with world.p.db.unit() as s:
        assert s.scalar(select(func.count()).select_from(WatchListEntry)) == 0


def test_crosscheck_and_writes_are_screened_and_a_new_version_replaces_the_old(world: World) -> None:
    admin = _admin(world)
    analyst = world.user(world.agency("WL-TH", country="TH"), "analyst")
    actor = world.actor(analyst)
    p = world.p
    with p.db.unit() as s:
        p.watchlists.import_list(s, admin, EXCERPT, source="sdn.csv")
    with p.db.unit() as s:
        result = p.entities.crosscheck(s, actor, query_subject(names=["Gilberto Jose Rodriguez Orejuela"],
                                                               birth_date="1939-01-31"))
        (hit,) = result.list_hits
        assert (hit.list_code, hit.entry_id, hit.programs) == ("ofac-sdn", "4107", ["SDNT"])
        assert hit.explanation.startswith("OFAC Specially Designated Nationals") and "entry 4107 (SDNT)" in hit.explanation
        assert result.candidates == [] and result.blind_hits == []
        # An identifier alone finds the entry too (a passport from its remarks).
        by_passport = p.entities.crosscheck(s, actor, query_subject(identifiers=[("passport", "T321642")],
                                                                    schema="Person"))
        assert [h.entry_id for h in by_passport.list_hits] == ["4107"]

    with p.db.unit() as s:
        made = p.entities.create(s, actor, EntityDraft("Person", {
            "name": ["Hongfei Wang"], "birthDate": ["1991-12-02"]}, distribution=DistributionRequest("agency")))
        ref, version = made.uuid, made.version
    with p.db.unit() as s:
        (alert,) = alerts_for(s, actor)
        assert (alert.entity_ref, alert.list_code, alert.entry_id) == (ref, "ofac-sdn", "41297")
        assert alert.programs == ["ILLICIT-DRUGS-EO14059"]
        # Written again, still matching: no second alert.
        p.entities.update(s, actor, ref, {"name": ["WANG Hongfei"], "birthDate": ["1991-12-02"]}, version)
    other = world.actor(world.user(world.agency("WL-OTHER"), "analyst"))
    with p.db.unit() as s:
        assert len(alerts_for(s, actor)) == 1
        assert alerts_for(s, other) == []  # another agency's inbox holds nothing of it

    # A new version (the SDNTK programme only) replaces the old one in screening.
    with p.db.unit() as s:
        done = p.watchlists.import_list(s, admin, EXCERPT, source="sdn-sdntk.csv", programs=["SDNTK"])
        assert (done.entries, done.superseded) == (2, 8)
    with p.db.unit() as s:
        gone = p.entities.crosscheck(s, actor, query_subject(names=["Gilberto Jose Rodriguez Orejuela"],
                                                             birth_date="1939-01-31"))
        assert gone.list_hits == []
        assert s.scalar(select(func.count()).select_from(WatchListEntry)) == 10  # the old entries stay
        keyed = s.scalar(select(func.count(func.distinct(WatchListKey.entry_id))))
        assert keyed == 2
        assert len(alerts_for(s, actor)) == 1  # its provenance is kept


def test_an_ftm_list_takes_its_code_and_title(world: World) -> None:
    admin = _admin(world)
    actor = world.actor(world.user(world.agency("WL-CN", country="CN"), "analyst"))
    lines = b"\n".join(json.dumps(e, ensure_ascii=False).encode() for e in (
        {"id": "x1", "schema": "Person", "properties": {"name": ["张伟"], "birthDate": ["1979-03-05"]}},
        {"id": "s1", "schema": "Sanction", "properties": {"entity": ["x1"], "program": ["NARC-2026"]}},
    ))
    with world.p.db.unit() as s:
        done = world.p.watchlists.import_list(s, admin, lines, source="list.jsonl", code="mekong-designations",
                                              title="Mekong designations")
        assert (done.code, done.entries) == ("mekong-designations", 1)
    with world.p.db.unit() as s:
        (hit,) = world.p.entities.crosscheck(s, actor, query_subject(names=["Zhang Wei"],
                                                                     birth_date="1979-03-05")).list_hits
        assert (hit.list_code, hit.list_title, hit.entry_id, hit.programs) == (
            "mekong-designations", "Mekong designations", "x1", ["NARC-2026"])
