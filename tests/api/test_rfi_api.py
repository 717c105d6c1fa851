"""Requests for information between agencies (``/api/v1/rfis``), on SQLite and PostgreSQL.

Three agencies: RQ asks, RC is asked, TP is a third agency with no part in the request. The tests walk
the whole state machine (every allowed transition, and every refused one with its message), hold that TP
gets "not found" on every route exactly as for a request that does not exist, and that lists hold
exactly one's own; that overdue is derived from the clock and listed for supervisors only; that an answer
attaches only the recipient's own records, shares them with the requester by adding it to a named
distribution (never silently widening an owner-only one), and that every action leaves an audit row.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from interdict.store.audit import AuditRow
from tests.conftest import Clock
from tests.factories import Person, World

API = "/api/v1"
RFIS = f"{API}/rfis"
RQ, RC, TP = "RFI-RQ", "RFI-RC", "RFI-TP"


class Scene:
    def __init__(self, world: World) -> None:
        for code in (RQ, RC, TP):
            world.agency(code)
        self.world = world
        self.people: dict[tuple[str, str], Person] = {
            (code, role): world.user(code, role)
            for code in (RQ, RC, TP)
            for role in ("analyst", "reader", "supervisor")
        }

    def __call__(self, agency: str, role: str = "analyst") -> dict[str, str]:
        return self.people[(agency, role)].headers


@pytest.fixture
def scene(world: World) -> Scene:
    return Scene(world)


def send(client: TestClient, s: Scene, **fields: Any) -> dict[str, Any]:
    body = {"recipient": RC, "title": "Who owns the boat Mekong Star?", "body": "Seen at Chiang Saen.", **fields}
    answer = client.post(RFIS, json=body, headers=s(RQ))
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def act(client: TestClient, s: Scene, who: tuple[str, str], ref: str, action: str, **body: Any) -> Any:
    return client.post(f"{RFIS}/{ref}/{action}", json=body or None, headers=s(*who))


def refused(answer: Any, status: int, *needles: str) -> None:
    assert answer.status_code == status, answer.text
    for needle in needles:
        assert needle in answer.json()["detail"], (needle, answer.json())


def test_the_state_machine_allows_and_refuses_each_transition(client: TestClient, scene: Scene) -> None:
    s = scene
    rfi = send(client, s)
    ref = rfi["reference"]
    assert re.fullmatch(r"RFI-2026-\d{6}", ref), ref
    assert (rfi["state"], rfi["requester_agency"], rfi["recipient_agency"]) == ("sent", RQ, RC)
    assert rfi["due_on"] == "2026-06-16" and rfi["overdue"] is False  # 15 days from the clock's day
    assert rfi["actions"] == ["withdraw", "message"]
    assert set(client.get(f"{RFIS}/{ref}", headers=s(RC)).json()["actions"]) == {
        "acknowledge", "answer", "decline", "message"}
    assert client.get(f"{RFIS}/{ref}", headers=s(RC, "reader")).json()["actions"] == []

    # acknowledge: the recipient's writers only, once
    refused(act(client, s, (RQ, "analyst"), ref, "acknowledge"), 403, "only the recipient agency", ref)
    refused(act(client, s, (RC, "reader"), ref, "acknowledge"), 403, "roles")
    done = act(client, s, (RC, "supervisor"), ref, "acknowledge")
    assert done.status_code == 200 and done.json()["state"] == "acknowledged" and done.json()["acknowledged_at"]
    refused(act(client, s, (RC, "analyst"), ref, "acknowledge"), 409,
            f"request {ref} is acknowledged; it cannot be acknowledged")

    # messages: either side's writers
    assert act(client, s, (RQ, "analyst"), ref, "messages", body="The hull number is 4471.").status_code == 200
    assert act(client, s, (RC, "analyst"), ref, "messages", body="Checking with the port.").status_code == 200
    refused(act(client, s, (RQ, "reader"), ref, "messages", body="Me too"), 403, "roles")
    assert act(client, s, (RQ, "analyst"), ref, "messages", body="").status_code == 422

    # answer: the recipient only; then nothing but follow-up messages
    refused(act(client, s, (RQ, "analyst"), ref, "answer", body="Ours."), 403, "only the recipient agency")
    answered = act(client, s, (RC, "analyst"), ref, "answer", body="Registered to Golden Lotus Ltd.")
    assert answered.status_code == 200, answered.text
    assert answered.json()["state"] == "answered" and answered.json()["answered_at"]
    for who, action, body, words in (
        ((RC, "analyst"), "acknowledge", {}, "it cannot be acknowledged"),
        ((RC, "analyst"), "answer", {"body": "Again"}, "it cannot be answered"),
        ((RC, "analyst"), "decline", {"reason": "No"}, "it cannot be declined"),
        ((RQ, "analyst"), "withdraw", {}, "it cannot be withdrawn"),
    ):
        refused(act(client, s, who, ref, action, **body), 409, f"request {ref} is answered; {words}")
    assert act(client, s, (RQ, "analyst"), ref, "messages", body="Thank you.").status_code == 200
    thread = client.get(f"{RFIS}/{ref.lower()}", headers=s(RQ, "reader")).json()["messages"]
    assert [(m["kind"], m["author_agency"]) for m in thread] == [
        ("message", RQ), ("message", RC), ("answer", RC), ("message", RQ)]
    assert thread[2]["body"] == "Registered to Golden Lotus Ltd."
    assert thread[0]["author"] == s.people[(RQ, "analyst")].username

    # decline: with a reason; a declined request is closed, messages included
    second = send(client, s, subject_kind="hit", subject_ref=f"blind hit at {RC} on 'Zhang Wei 1979-03-05'")
    r2 = second["reference"]
    assert act(client, s, (RC, "analyst"), r2, "decline", reason="").status_code == 422
    refused(act(client, s, (RQ, "analyst"), r2, "decline", reason="No"), 403, "only the recipient agency")
    declined = act(client, s, (RC, "analyst"), r2, "decline", reason="Source protection.")
    assert declined.status_code == 200 and declined.json()["state"] == "declined" and declined.json()["closed_at"]
    assert declined.json()["messages"][-1]["kind"] == "decline"
    refused(act(client, s, (RQ, "analyst"), r2, "messages", body="Why?"), 409,
            f"request {r2} is declined; it cannot take new messages")
    refused(act(client, s, (RQ, "analyst"), r2, "withdraw"), 409, f"request {r2} is declined; it cannot be withdrawn")

    # withdraw: the requester only, from sent (or acknowledged)
    third = send(client, s)
    r3 = third["uuid"]  # by uuid this time
    refused(act(client, s, (RC, "analyst"), r3, "withdraw"), 403, "only the requesting agency")
    refused(act(client, s, (RQ, "reader"), r3, "withdraw"), 403, "roles")
    gone = client.post(f"{RFIS}/{r3}/withdraw", headers=s(RQ))  # no body: the reason is optional
    assert gone.status_code == 200 and gone.json()["state"] == "withdrawn" and gone.json()["messages"] == []
    refused(act(client, s, (RC, "analyst"), r3, "acknowledge"), 409,
            f"request {third['reference']} is withdrawn; it cannot be acknowledged")

    fourth = send(client, s)
    assert act(client, s, (RC, "analyst"), fourth["reference"], "acknowledge").status_code == 200
    withdrawn = act(client, s, (RQ, "supervisor"), fourth["reference"], "withdraw", reason="Found it ourselves.")
    assert withdrawn.json()["state"] == "withdrawn" and withdrawn.json()["messages"][0]["kind"] == "withdraw"

    # the lists: state filters, boxes
    def refs(url: str, who: tuple[str, str]) -> list[str]:
        answer = client.get(url, headers=s(*who))
        assert answer.status_code == 200, answer.text
        return [i["reference"] for i in answer.json()["items"]]

    everything = [fourth["reference"], third["reference"], r2, ref]
    assert refs(f"{RFIS}?box=outgoing", (RQ, "reader")) == everything
    assert refs(f"{RFIS}?box=incoming", (RC, "reader")) == everything
    assert refs(f"{RFIS}?box=incoming", (RQ, "reader")) == [] == refs(f"{RFIS}?box=outgoing", (RC, "reader"))
    assert refs(f"{RFIS}?state=withdrawn", (RC, "reader")) == [fourth["reference"], third["reference"]]
    assert refs(f"{RFIS}?state=answered&box=outgoing", (RQ, "reader")) == [ref]
    assert client.get(f"{RFIS}?state=lost", headers=s(RQ)).status_code == 422


def test_sending_names_what_is_wrong(client: TestClient, scene: Scene, world: World) -> None:
    s = scene
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"recipient": RQ}, 422, "your own"),
        ({"recipient": "NO-SUCH"}, 422, "'NO-SUCH' is not the code of an active agency"),
        ({"due_on": "2026-05-31"}, 422, "due date 2026-05-31 is in the past; expected 2026-06-01 or later"),
        ({"subject_kind": "question", "subject_ref": "x"}, 422, "names no subject"),
        ({"subject_kind": "hit"}, 422, "subject_kind 'hit' needs subject_ref"),
        ({"subject_kind": "record", "subject_ref": "not-a-uuid"}, 422, "is not the uuid of a record"),
        ({"priority": "whenever"}, 422, ""),
        ({"owner_agency": RC}, 422, ""),  # unknown fields are refused
    ]
    for fields, status, needle in cases:
        body = {"recipient": RC, "title": "T", **fields}
        answer = client.post(RFIS, json=body, headers=s(RQ))
        assert answer.status_code == status, (fields, answer.text)
        assert needle in answer.text, (fields, answer.text)
    assert client.post(RFIS, json={"recipient": RC, "title": "T"}, headers=s(RQ, "reader")).status_code == 403
    # a record as subject: only one the requester can see (hidden and missing answer alike)
    hidden = world.report(s.people[(RC, "analyst")], distribution="agency")
    shared = world.report(s.people[(RC, "analyst")], distribution="agencies", agencies=[RQ])
    blind = client.post(RFIS, json={"recipient": RC, "title": "T", "subject_kind": "record",
                                    "subject_ref": hidden.uuid}, headers=s(RQ))
    assert blind.status_code == 422 and f"subject_ref {hidden.uuid!r} is not the uuid of a record" in blind.text
    made = send(client, s, subject_kind="record", subject_ref=shared.uuid.upper(), due_on="2026-06-01",
                priority="urgent")
    assert (made["subject_ref"], made["due_on"], made["priority"]) == (shared.uuid, "2026-06-01", "urgent")


def test_a_third_agency_gets_not_found_everywhere_and_lists_hold_only_ones_own(
    client: TestClient, scene: Scene
) -> None:
    s = scene
    rfi = send(client, s)
    bodies: dict[str, dict[str, Any]] = {
        "acknowledge": {}, "messages": {"body": "Hello"}, "answer": {"body": "Here"},
        "decline": {"reason": "No"}, "withdraw": {"reason": "Done"},
    }
    missing = "RFI-2026-999999"
    for ref in (rfi["reference"], rfi["uuid"], rfi["reference"].lower()):
        for role in ("analyst", "reader", "supervisor"):
            got = client.get(f"{RFIS}/{ref}", headers=s(TP, role))
            none = client.get(f"{RFIS}/{missing}", headers=s(TP, role))
            assert got.status_code == none.status_code == 404
            assert got.json()["detail"].replace(ref, "X") == none.json()["detail"].replace(missing, "X")
            for action, body in bodies.items():
                got = client.post(f"{RFIS}/{ref}/{action}", json=body, headers=s(TP, role))
                none = client.post(f"{RFIS}/{missing}/{action}", json=body, headers=s(TP, role))
                assert got.status_code == none.status_code == 404, (action, got.text)
                assert got.json()["detail"].replace(ref, "X") == none.json()["detail"].replace(missing, "X")
    for box in ("", "?box=incoming", "?box=outgoing", "?state=sent"):
        assert client.get(f"{RFIS}{box}", headers=s(TP, "reader")).json()["items"] == []
    assert client.get(f"{RFIS}/overdue", headers=s(TP, "supervisor")).json()["items"] == []
    assert [i["uuid"] for i in client.get(RFIS, headers=s(RQ, "reader")).json()["items"]] == [rfi["uuid"]]
    assert [i["uuid"] for i in client.get(RFIS, headers=s(RC, "reader")).json()["items"]] == [rfi["uuid"]]
    # and the request is unchanged by all of it
    after = client.get(f"{RFIS}/{rfi['reference']}", headers=s(RQ)).json()
    assert (after["state"], after["version"], after["messages"]) == ("sent", 1, [])


def test_overdue_is_derived_from_the_clock_and_listed_for_supervisors(
    client: TestClient, scene: Scene, clock: Clock
) -> None:
    s = scene
    soon = send(client, s, due_on="2026-06-03")
    later = send(client, s, due_on="2026-07-01")
    answered = send(client, s, due_on="2026-06-02")
    assert act(client, s, (RC, "analyst"), answered["reference"], "answer", body="Done.").status_code == 200
    assert client.get(f"{RFIS}/overdue", headers=s(RQ, "supervisor")).json()["items"] == []
    clock.advance(days=3)  # 2026-06-04: `soon` is past its date, `answered` was answered in time
    for agency in (RQ, RC):
        listed = client.get(f"{RFIS}/overdue", headers=s(agency, "supervisor"))
        assert listed.status_code == 200, listed.text
        assert [(i["reference"], i["overdue"]) for i in listed.json()["items"]] == [(soon["reference"], True)]
        for role in ("reader", "analyst"):
            refused(client.get(f"{RFIS}/overdue", headers=s(agency, role)), 403, "supervisors")
    assert client.get(f"{RFIS}/overdue", headers=s(TP, "supervisor")).json()["items"] == []
    flagged = {i["reference"]: i["overdue"] for i in client.get(RFIS, headers=s(RC, "reader")).json()["items"]}
    assert flagged == {soon["reference"]: True, later["reference"]: False, answered["reference"]: False}
    only = client.get(f"{RFIS}?state=overdue", headers=s(RQ, "reader")).json()["items"]
    assert [i["reference"] for i in only] == [soon["reference"]]
    # acknowledged is still open, so still overdue; answering ends it
    assert act(client, s, (RC, "analyst"), soon["reference"], "acknowledge").json()["overdue"] is True
    assert act(client, s, (RC, "analyst"), soon["reference"], "answer", body="Late, sorry.").json()["overdue"] is False
    assert client.get(f"{RFIS}/overdue", headers=s(RC, "supervisor")).json()["items"] == []


def test_an_answer_attaches_own_records_and_shares_them_only_as_the_owner_chose(
    client: TestClient, scene: Scene, world: World, platform: Any
) -> None:
    s = scene
    owner = s.people[(RC, "analyst")]
    named = world.report(owner, distribution="agencies", agencies=[TP])
    private = world.report(owner, distribution="agency")
    personal = world.report(owner, distribution="agencies", agencies=[TP], contains_personal_data=True)
    everyone = world.report(owner, distribution="all")
    foreign = world.report(s.people[(TP, "analyst")], distribution="all")  # RC sees it; it is not RC's
    seizure = client.post(f"{API}/seizures", headers=s(RC), json={
        "seized_on": "2026-05-01", "country": "TH", "items": [{"substance": "heroin", "quantity": 1, "unit": "kg"}],
        "distribution": "agencies", "agencies": [TP]})
    assert seizure.status_code == 201, seizure.text
    seizure_uuid = seizure.json()["uuid"]
    for uuid in (named.uuid, private.uuid, personal.uuid):
        assert client.get(f"{API}/intel-reports/{uuid}", headers=s(RQ, "reader")).status_code == 404
    rfi = send(client, s)
    ref = rfi["reference"]

    def answer(*records: str) -> Any:
        return act(client, s, (RC, "analyst"), ref, "answer", body="See attached.", records=list(records))

    refused(answer(named.uuid, private.uuid), 422, repr(private.uuid), "shared with your agency only",
            f"widen its distribution to 'agencies' naming {RQ}")
    refused(answer(foreign.uuid), 422, repr(foreign.uuid), "only your agency's own records can be attached")
    missing = "00000000-0000-4000-8000-000000000000"
    refused(answer(missing), 422, repr(missing), "only your agency's own records can be attached")
    refused(answer(personal.uuid), 422, repr(personal.uuid), "personal data", RQ)
    # nothing of the refused answers was written: still sent, no message, the named report unshared
    after = client.get(f"{RFIS}/{ref}", headers=s(RQ)).json()
    assert (after["state"], after["messages"], after["version"]) == ("sent", [], 1)
    assert client.get(f"{API}/intel-reports/{named.uuid}", headers=s(RQ, "reader")).status_code == 404
    assert client.get(f"{API}/intel-reports/{private.uuid}", headers=s(RC)).json()["sharing"]["distribution"] == "agency"

    done = answer(named.uuid, everyone.uuid, seizure_uuid)
    assert done.status_code == 200, done.text
    attached = {(a["record_uuid"], a["record_kind"]) for a in done.json()["messages"][-1]["attachments"]}
    assert attached == {(named.uuid, "intel_report"), (everyone.uuid, "intel_report"), (seizure_uuid, "seizure")}
    for url in (f"{API}/intel-reports/{named.uuid}", f"{API}/intel-reports/{everyone.uuid}",
                f"{API}/seizures/{seizure_uuid}"):
        assert client.get(url, headers=s(RQ, "reader")).status_code == 200, url
    sharing = client.get(f"{API}/intel-reports/{named.uuid}", headers=s(RC)).json()["sharing"]
    assert (sharing["distribution"], sharing["agencies"]) == ("agencies", sorted([RQ, TP]))
    assert client.get(f"{API}/intel-reports/{everyone.uuid}", headers=s(RC)).json()["sharing"]["distribution"] == "all"
    assert client.get(f"{API}/intel-reports/{private.uuid}", headers=s(RQ, "reader")).status_code == 404

    with platform.db.unit() as session:
        rows = list(session.scalars(select(AuditRow).where(AuditRow.object_uuid.in_([rfi["uuid"], named.uuid]))))
        actions = {(r.object_uuid, r.action, r.actor_agency) for r in rows}
    assert (rfi["uuid"], "rfi.create", RQ) in actions and (rfi["uuid"], "rfi.answer", RC) in actions
    assert (named.uuid, "record.distribution", RC) in actions


def test_every_action_is_audited_with_the_request(client: TestClient, scene: Scene, platform: Any) -> None:
    s = scene
    first, second = send(client, s), send(client, s)
    assert act(client, s, (RC, "analyst"), first["reference"], "acknowledge").status_code == 200
    assert act(client, s, (RQ, "analyst"), first["reference"], "messages", body="News?").status_code == 200
    assert act(client, s, (RC, "analyst"), first["reference"], "decline", reason="No.").status_code == 200
    assert act(client, s, (RQ, "analyst"), second["reference"], "withdraw").status_code == 200
    third = send(client, s)
    assert act(client, s, (RC, "analyst"), third["reference"], "answer", body="Yes.").status_code == 200
    with platform.db.unit() as session:
        rows = session.execute(
            select(AuditRow.object_uuid, AuditRow.action, AuditRow.actor_agency, AuditRow.object_type)
            .where(AuditRow.action.like("rfi.%")).order_by(AuditRow.seq)
        ).all()
    assert [(u, a, g) for u, a, g, t in rows if t == "rfi"] == [
        (first["uuid"], "rfi.create", RQ),
        (second["uuid"], "rfi.create", RQ),
        (first["uuid"], "rfi.acknowledge", RC),
        (first["uuid"], "rfi.message", RQ),
        (first["uuid"], "rfi.decline", RC),
        (second["uuid"], "rfi.withdraw", RQ),
        (third["uuid"], "rfi.create", RQ),
        (third["uuid"], "rfi.answer", RC),
    ]
    # each agency's supervisors find their own users' actions in their part of the log
    mine = client.get(f"{API}/audit?limit=200&object_uuid={first['uuid']}", headers=s(RC, "supervisor")).json()
    assert {e["action"] for e in mine["items"]} == {"rfi.acknowledge", "rfi.decline"}
    assert date.fromisoformat(first["due_on"]) == date(2026, 6, 16)
