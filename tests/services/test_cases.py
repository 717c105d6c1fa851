"""Case files and joint investigations (``services/cases.py``), on SQLite and PostgreSQL.

Agencies: OWN owns the case; PA and PB take part; OUT has no part. The tests hold the status machine
(every move allowed and refused, a closed case read-only until the owner reopens it), who may see and
change a case (outsiders get exactly the "not found" of a missing case, a removed participant loses it at
once), that each participant sees only the linked records its agency may see under each record's own rule
and that linking shares nothing, the offence vocabulary naming a bad value, the syndicate view with its
members each under their own rule, and an audit row for every action.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from interdict.domain.errors import BadInputError, ConflictError, ForbiddenError, NotFoundError
from interdict.schemas.cases import (
    CaseCreate,
    CaseStatusIn,
    CaseUpdate,
    LinkIn,
    MessageIn,
    NoteIn,
    ParticipantIn,
)
from interdict.schemas.seizures import SeizureCreate
from interdict.services.entities import EntityDraft
from interdict.services.platform import Platform
from interdict.services.sharing import DistributionRequest
from interdict.store.audit import AuditRow
from tests.factories import Person, World

OWN, PA, PB, OUT = "CS-OWN", "CS-PA", "CS-PB", "CS-OUT"


class Scene:
    def __init__(self, world: World) -> None:
        for code in (OWN, PA, PB, OUT):
            world.agency(code)
        self.w, self.p = world, world.p
        self.people = {(c, r): world.user(c, r) for c in (OWN, PA, PB, OUT) for r in ("analyst", "reader")}

    def __call__(self, agency: str, role: str = "analyst") -> Person:
        return self.people[(agency, role)]

    def do(self, who: Person, fn: Callable[..., Any], *args: Any) -> Any:
        """Call a CaseService method as ``who`` in one unit of work; case results come back as CaseOut."""
        with self.p.db.unit() as s:
            actor = self.w.actor(who)
            out = fn(s, actor, *args)
            if type(out).__name__ == "Case":
                return self.p.cases.public(s, actor, out)
            return out

    def case(self, **fields: Any) -> str:
        data = CaseCreate.model_validate({"title": "Golden Lotus river crossings", **fields})
        return str(self.do(self(OWN), self.p.cases.create, data).uuid)

    def seizure(self, who: Person, distribution: str = "agency", agencies: list[str] | None = None) -> str:
        data = SeizureCreate.model_validate({
            "seized_on": "2026-05-01", "country": "TH", "distribution": distribution, "agencies": agencies or [],
            "items": [{"substance": "heroin", "quantity": 2, "unit": "kg"}], "place": "Chiang Saen"})
        with self.p.db.unit() as s:
            return self.p.seizures.create(s, self.w.actor(who), data).uuid

    def entity(self, who: Person, schema: str, props: dict[str, list[str]], ftm_id: str,
               dist: DistributionRequest) -> str:
        with self.p.db.unit() as s:
            return self.p.entities.create(s, self.w.actor(who), EntityDraft(schema, props, ftm_id, dist)).uuid


@pytest.fixture
def scene(world: World) -> Scene:
    return Scene(world)


def test_status_machine_and_a_closed_case_is_read_only(scene: Scene) -> None:
    s, cases = scene, scene.p.cases
    ref = s.case(participants=[PA, PB])
    assert s.do(s(OWN), cases.get, ref).status == "open"
    with pytest.raises(ForbiddenError, match="only the owner agency"):
        s.do(s(PA), cases.set_status, ref, CaseStatusIn(status="closed"))
    with pytest.raises(ForbiddenError, match="roles"):
        s.do(s(OWN, "reader"), cases.set_status, ref, CaseStatusIn(status="closed"))
    with pytest.raises(ConflictError, match=f"case {ref} is open; it cannot become open"):
        s.do(s(OWN), cases.set_status, ref, CaseStatusIn(status="open"))
    out = s.do(s(OWN), cases.set_status, ref, CaseStatusIn(status="suspended", reason="Waiting for the lab."))
    assert (out.status, out.version) == ("suspended", 2)
    s.do(s(PA), cases.note, ref, NoteIn(body="Still watching the pier."))  # suspended still takes notes
    out = s.do(s(OWN), cases.set_status, ref, CaseStatusIn(status="closed", reason="Charged."))
    assert out.status == "closed" and out.closed_at is not None
    assert out.actions == ["status", "remove"]
    assert s.do(s(PA), cases.get, ref).actions == ["remove"]  # a closed case still lets access be cut
    s.do(s(OWN), cases.remove, ref, PB)
    with pytest.raises(NotFoundError):
        s.do(s(PB), cases.get, ref)
    assert s.do(s(PA), cases.get, ref).status == "closed"
    for who, fn, arg in (
        (s(PA), cases.note, NoteIn(body="late")),
        (s(PA), cases.message, MessageIn(body="late")),
        (s(OWN), cases.invite, ParticipantIn(agency=OUT)),
        (s(OWN), cases.update, CaseUpdate(version=3, title="New")),
        (s(PA), cases.link, LinkIn(record=s.seizure(s(PA), "all"))),
    ):
        with pytest.raises(ConflictError, match="is closed; the owner agency must reopen it"):
            s.do(who, fn, ref, arg)
    with pytest.raises(ConflictError, match="it cannot become suspended"):
        s.do(s(OWN), cases.set_status, ref, CaseStatusIn(status="suspended"))
    with pytest.raises(ForbiddenError, match="only the owner agency"):
        s.do(s(PA), cases.set_status, ref, CaseStatusIn(status="open"))
    out = s.do(s(OWN), cases.set_status, ref, CaseStatusIn(status="open", reason="New evidence."))
    assert out.status == "open" and out.closed_at is None
    assert [e.body for e in out.entries if e.kind == "status"] == [
        "open → suspended: Waiting for the lab.", "suspended → closed: Charged.", "closed → open: New evidence."]
    s.do(s(PA), cases.note, ref, NoteIn(body="Back on it."))


def test_offences_are_validated_and_the_bad_value_named(scene: Scene) -> None:
    s = scene
    ref = s.case(offences=["drug_trafficking", "Money laundering", "PRECURSOR_DIVERSION", "drug_trafficking"])
    assert s.do(s(OWN), s.p.cases.get, ref).offences == ["drug_trafficking", "money_laundering",
                                                         "precursor_diversion"]
    with pytest.raises(BadInputError, match=r"unknown offence\(s\) 'arson'; expected one of drug_trafficking") as err:
        s.case(offences=["arson", "drug_trafficking"])
    assert "offences" in err.value.errors
    with pytest.raises(ConflictError, match="changed since version 0"):
        s.do(s(OWN), s.p.cases.update, ref, CaseUpdate(version=0, offences=["corruption"]))
    out = s.do(s(OWN), s.p.cases.update, ref, CaseUpdate(version=1, offences=["corruption"], title="Renamed"))
    assert (out.offences, out.title, out.version) == (["corruption"], "Renamed", 2)


def test_only_owner_and_current_participants_see_the_case(scene: Scene) -> None:
    s, cases = scene, scene.p.cases
    ref = s.case(participants=[PA])
    missing = "00000000-0000-4000-8000-000000000000"
    for who in (s(OUT), s(OUT, "reader"), s(PB)):
        with pytest.raises(NotFoundError) as hidden:
            s.do(who, cases.get, ref)
        with pytest.raises(NotFoundError) as absent:
            s.do(who, cases.get, missing)
        assert str(hidden.value).replace(ref, "X") == str(absent.value).replace(missing, "X")
        with pytest.raises(NotFoundError):
            s.do(who, cases.note, ref, NoteIn(body="hello"))
        assert s.do(who, cases.list_for)[0] == []
    assert s.do(s(PA, "reader"), cases.get, ref).is_joint
    assert [c.uuid for c in s.do(s(PA, "reader"), cases.list_for, None, "joined")[0]] == [ref]
    assert s.do(s(PA), cases.list_for, None, "owned")[0] == []
    with pytest.raises(BadInputError, match="not the code of an active agency: 'NOPE'"):
        s.do(s(OWN), cases.invite, ref, ParticipantIn(agency="NOPE"))
    with pytest.raises(BadInputError, match="owns the case"):
        s.do(s(OWN), cases.invite, ref, ParticipantIn(agency=OWN))
    with pytest.raises(ConflictError, match="already takes part"):
        s.do(s(OWN), cases.invite, ref, ParticipantIn(agency=PA))
    with pytest.raises(ForbiddenError, match="only the owner agency"):
        s.do(s(PA), cases.invite, ref, ParticipantIn(agency=PB))
    s.do(s(OWN), cases.invite, ref, ParticipantIn(agency=PB))
    assert [p.agency for p in s.do(s(PB, "reader"), cases.get, ref).participants] == [OWN, PA, PB]

    # Removed by the owner, or leaving: gone at once; invited again: back.
    with pytest.raises(ForbiddenError, match="only the owner agency may remove other agencies"):
        s.do(s(PA), cases.remove, ref, PB)
    s.do(s(OWN), cases.remove, ref, PB)
    with pytest.raises(NotFoundError):
        s.do(s(PB), cases.get, ref)
    with pytest.raises(ForbiddenError, match="roles"):
        s.do(s(PA, "reader"), cases.remove, ref, PA)
    s.do(s(PA), cases.remove, ref, PA)
    with pytest.raises(NotFoundError):
        s.do(s(PA, "reader"), cases.get, ref)
    assert not s.do(s(OWN), cases.get, ref).is_joint
    with pytest.raises(BadInputError, match="owner cannot leave"):
        s.do(s(OWN), cases.remove, ref, OWN)
    s.do(s(OWN), cases.invite, ref, ParticipantIn(agency=PA))
    assert s.do(s(PA, "reader"), cases.get, ref).uuid == ref


def test_each_participant_sees_only_the_linked_records_it_may_see(scene: Scene) -> None:
    s, cases = scene, scene.p.cases
    ref = s.case(participants=[PA, PB])
    pa_to_own = s.seizure(s(PA), "agencies", [OWN])  # PA's seizure, shared with OWN only
    pa_only = s.entity(s(PA), "Company", {"name": ["Mekong Star Shipping"]}, "c1", DistributionRequest("agency"))
    everyone = s.seizure(s(PB), "all")
    for record in (pa_to_own, pa_only):
        s.do(s(PA), cases.link, ref, LinkIn(record=record, note="PA's own"))
    s.do(s(PB), cases.link, ref, LinkIn(record=everyone))

    def links(who: Person) -> set[str]:
        return {lk.record_uuid for lk in s.do(who, cases.get, ref).links}

    assert links(s(PA)) == {pa_to_own, pa_only, everyone}
    assert links(s(OWN, "reader")) == {pa_to_own, everyone}
    assert links(s(PB)) == {everyone}
    view = s.do(s(PB), cases.get, ref)
    text = view.model_dump_json()
    assert pa_to_own not in text and pa_only not in text and "Mekong Star" not in text
    # Linking shares nothing: PB still cannot read PA's records, nor link them, nor unlink them.
    with pytest.raises(NotFoundError), s.p.db.unit() as session:
        s.p.seizures.get(session, s.w.actor(s(PB)), pa_to_own)
    with pytest.raises(BadInputError, match="not a seizure, entity or intelligence report your agency can see") as hid:
        s.do(s(PB), cases.link, ref, LinkIn(record=pa_only))
    never = "00000000-0000-4000-8000-000000000001"
    with pytest.raises(BadInputError) as gone:
        s.do(s(PB), cases.link, ref, LinkIn(record=never))
    assert str(hid.value).replace(pa_only, "X") == str(gone.value).replace(never, "X")  # hidden == missing
    with pytest.raises(ConflictError, match="already linked"):
        s.do(s(PA), cases.link, ref, LinkIn(record=pa_only))
    with pytest.raises(NotFoundError, match="linked to case") as hidden:
        s.do(s(PB), cases.unlink, ref, pa_only)
    with pytest.raises(NotFoundError, match="linked to case") as absent:
        s.do(s(PB), cases.unlink, ref, "00000000-0000-4000-8000-000000000000")
    assert type(hidden.value) is type(absent.value)
    # Only the linking agency or the owner unlinks.
    with pytest.raises(ForbiddenError, match="only the agency that linked"):
        s.do(s(PA), cases.unlink, ref, everyone)
    s.do(s(OWN), cases.unlink, ref, pa_to_own)
    assert links(s(PA)) == {pa_only, everyone}
    # A record shared later shows at once; a record unshared disappears at once.
    with s.p.db.unit() as session:
        from interdict.schemas.common import DistributionChange

        s.p.entities.change_distribution(session, s.w.actor(s(PA)), pa_only, DistributionChange(
            distribution="agencies", agencies=[PB], reason="for the joint case"))
    assert links(s(PB)) == {pa_only, everyone}
    assert links(s(OWN)) == {everyone}


def test_notes_messages_and_replies(scene: Scene) -> None:
    s, cases = scene, scene.p.cases
    ref, other = s.case(participants=[PA]), s.case()
    first = s.do(s(OWN), cases.message, ref, MessageIn(body="Who has the boat's AIS track?"))
    asked = first.entries[-1].uuid
    s.do(s(PA), cases.message, ref, MessageIn(body="We do; sharing it.", reply_to=asked))
    s.do(s(PA), cases.note, ref, NoteIn(body="Surveillance at the pier, 02:00."))
    other_entry = s.do(s(OWN), cases.note, other, NoteIn(body="unrelated")).entries[-1].uuid
    with pytest.raises(BadInputError, match="is not an entry of case"):
        s.do(s(PA), cases.message, ref, MessageIn(body="x", reply_to=other_entry))
    with pytest.raises(ForbiddenError, match="roles"):
        s.do(s(PA, "reader"), cases.note, ref, NoteIn(body="x"))
    entries = s.do(s(PA, "reader"), cases.get, ref).entries
    assert [(e.kind, e.author_agency, e.reply_to) for e in entries] == [
        ("message", OWN, None), ("message", PA, asked), ("note", PA, None)]


def test_syndicate_members_each_under_their_own_rule(scene: Scene) -> None:
    s, cases = scene, scene.p.cases
    s.w.agreement(agencies=[OWN, PA])  # persons are personal data: PA may see OWN's, OUT may not
    pub = DistributionRequest("all")
    org = s.entity(s(OWN), "Organization", {"name": ["Golden Lotus syndicate"]}, "gl", pub)
    s.entity(s(OWN), "Person", {"name": ["Zhang Wei"]}, "zw", DistributionRequest("agencies", [PA]))
    s.entity(s(OWN), "Person", {"name": ["Li Na"]}, "ln", pub)
    s.entity(s(OWN), "Company", {"name": ["Mekong Star Shipping"]}, "ms", pub)
    s.entity(s(OWN), "Membership", {"member": ["zw"], "organization": ["gl"], "role": ["leader"]}, "m1", pub)
    s.entity(s(OWN), "Membership", {"member": ["ln"], "organization": ["gl"], "role": ["courier"]}, "m2",
             DistributionRequest("agency"))
    s.entity(s(OWN), "Ownership", {"owner": ["ms"], "asset": ["gl"]}, "o1", pub)
    person = s.entity(s(OWN), "Person", {"name": ["Not An Org"]}, "nao", pub)
    with pytest.raises(BadInputError, match="is a Person, not an Organization"):
        s.case(syndicate=person)
    joint, own_only = s.case(syndicate=org, participants=[PA]), s.case(syndicate=org)

    def members(who: Person) -> list[tuple[str, str, list[str]]]:
        out = s.do(who, cases.syndicate, org)
        return [(m.caption, m.relation, m.roles) for m in out.members]

    assert members(s(OWN)) == [("Li Na", "Membership", ["courier"]), ("Mekong Star Shipping", "Ownership", []),
                               ("Zhang Wei", "Membership", ["leader"])]
    assert members(s(PA)) == [("Mekong Star Shipping", "Ownership", []), ("Zhang Wei", "Membership", ["leader"])]
    assert members(s(OUT)) == [("Mekong Star Shipping", "Ownership", [])]  # Zhang Wei is shared with PA only
    assert [c.uuid for c in s.do(s(OWN), cases.syndicate, org).cases] == [own_only, joint]
    assert [c.uuid for c in s.do(s(PA), cases.syndicate, org).cases] == [joint]
    assert s.do(s(OUT), cases.syndicate, org).cases == []
    assert [r.uuid for r in s.do(s(PA), cases.syndicates)] == [org]
    assert s.do(s(OUT), cases.syndicates) == []
    with pytest.raises(NotFoundError, match="no syndicate"):
        s.do(s(OWN), cases.syndicate, person)


def test_a_hidden_syndicate_is_not_shown_in_the_case(scene: Scene) -> None:
    s = scene
    org = s.entity(s(OWN), "Organization", {"name": ["Hidden Dragon"]}, "hd", DistributionRequest("agency"))
    ref = s.case(syndicate=org, participants=[PA])
    assert s.do(s(OWN), s.p.cases.get, ref).syndicate.uuid == org
    view = s.do(s(PA), s.p.cases.get, ref)
    assert view.syndicate is None and "Hidden Dragon" not in view.model_dump_json()
    with pytest.raises(NotFoundError):
        s.do(s(PA), s.p.cases.syndicate, org)
    with pytest.raises(BadInputError, match="not an entity your agency can see"):
        s.do(s(PA), s.p.cases.create, CaseCreate(title="Mine", syndicate=org))


def test_every_action_is_audited(scene: Scene, platform: Platform) -> None:
    s, cases = scene, scene.p.cases
    ref = s.case(participants=[PA])
    record = s.seizure(s(PA), "all")
    s.do(s(PA), cases.link, ref, LinkIn(record=record))
    s.do(s(PA), cases.note, ref, NoteIn(body="n"))
    s.do(s(OWN), cases.message, ref, MessageIn(body="m"))
    s.do(s(OWN), cases.invite, ref, ParticipantIn(agency=PB))
    s.do(s(OWN), cases.remove, ref, PB)
    s.do(s(PA), cases.unlink, ref, record)
    s.do(s(OWN), cases.update, ref, CaseUpdate(version=1, summary="More."))
    s.do(s(OWN), cases.set_status, ref, CaseStatusIn(status="closed"))
    s.do(s(OWN), cases.get, ref)
    with platform.db.unit() as session:
        rows = session.execute(
            select(AuditRow.action, AuditRow.actor_agency).where(AuditRow.object_uuid == ref).order_by(AuditRow.seq)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("case.create", OWN), ("case.link", PA), ("case.note", PA), ("case.message", OWN), ("case.invite", OWN),
        ("case.remove", OWN), ("case.unlink", PA), ("case.update", OWN), ("case.status", OWN)]
