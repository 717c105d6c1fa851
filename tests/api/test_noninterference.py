"""Non-interference through the HTTP API: records a caller may not see change nothing it can observe.

For one caller agency, every answer that could betray a record (list, all pages with totals; count;
CSV and JSON-lines export with their headers; get of a missing uuid; onward-request listing; the
same with filters that would single the hidden records out) is recorded, records the caller may not
see are added (other agencies' records whose distribution leaves the caller out, personal data without
an agreement in force, memberships that ended or have not begun, targets that name nobody or unknown
ids) together with onward requests about them, and every answer must be the same. Each hidden record
must also answer exactly like a uuid that does not exist. And what list, count and export return is
the set the Python rule ``can_see`` computes from the facts the test built.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interdict.domain.sharing import Agreement, Distribution, Membership, SharingFacts, World, can_see
from interdict.schemas.intel import OnwardRequestCreate
from interdict.schemas.structure import AgreementCreate, MechanismCreate, MembershipChange
from interdict.store.identity import User
from interdict.store.records import IntelReport, RecordShare
from tests.factories import Person
from tests.factories import World as Factory

API = "/api/v1"
TODAY = date(2026, 6, 1)  # the clock fixture's day
YESTERDAY, TOMORROW, LONG_AGO = TODAY - timedelta(days=1), TODAY + timedelta(days=1), date(2020, 1, 1)
MISSING = "00000000-0000-4000-8000-000000000000"
SECRET = "zqxsecret"  # only hidden records carry it (title and tag), so filters could single them out
NOS = "no_onward_sharing"

# -- the cooperation structure ----------------------------------------------------------------------------
ME = "C-ME"  # the caller
PARTNER = "P-PART"  # bilateral agreement with ME allowing personal data
NO_PD = "Q-NOPD"  # bilateral agreement with ME not allowing personal data; shares MEK2 (no PD) with ME
CO = "M-MEMB"  # current member of MEK (MEK's agreement allows personal data) and of OTH
FORMER = "F-FORM"  # left MEK yesterday
LEFT = "L-LEFT"  # leaves MEK today: no longer a member
NEXT = "N-NEXT"  # joins MEK tomorrow: not yet a member
OUT = "X-OUT"  # no relation with ME; member of OTH, personal-data agreement with CO only
EXPIRED = "E-EXP"  # personal-data agreement with ME that ended yesterday
SOON = "S-SOON"  # personal-data agreement with ME from tomorrow
EDGE = "T-EDGE"  # personal-data agreement with ME for today only (both ends inclusive)
JOIN = "J-JOIN"  # joins MEK today: already a member
AGENCIES = (ME, PARTNER, NO_PD, CO, FORMER, LEFT, NEXT, OUT, EXPIRED, SOON, EDGE, JOIN)

MEMBERSHIPS = (
    Membership(ME, "MEK", LONG_AGO),
    Membership(CO, "MEK", LONG_AGO),
    Membership(FORMER, "MEK", LONG_AGO, YESTERDAY),
    Membership(LEFT, "MEK", LONG_AGO, TODAY),
    Membership(NEXT, "MEK", TOMORROW),
    Membership(JOIN, "MEK", TODAY),
    Membership(OUT, "OTH", LONG_AGO),
    Membership(CO, "OTH", LONG_AGO),
    Membership(PARTNER, "OTH", LONG_AGO),
    Membership(ME, "MEK2", LONG_AGO),
    Membership(NO_PD, "MEK2", LONG_AGO),
)
AGREEMENTS = (
    Agreement(True, LONG_AGO, agencies=frozenset({ME, PARTNER})),
    Agreement(False, LONG_AGO, agencies=frozenset({ME, NO_PD})),
    Agreement(True, LONG_AGO, YESTERDAY, agencies=frozenset({ME, EXPIRED})),
    Agreement(True, TOMORROW, agencies=frozenset({ME, SOON})),
    Agreement(True, TODAY, TODAY, agencies=frozenset({ME, EDGE})),
    Agreement(True, LONG_AGO, agencies=frozenset({CO, OUT})),
    Agreement(True, LONG_AGO, mechanism="MEK"),
    Agreement(True, LONG_AGO, mechanism="OTH"),
    Agreement(False, LONG_AGO, mechanism="MEK2"),
)
RULES = World(MEMBERSHIPS, AGREEMENTS, frozenset(AGENCIES))
MECHANISMS = tuple(dict.fromkeys(m.mechanism for m in MEMBERSHIPS))


@dataclass(frozen=True)
class Spec:
    """A record to create: who owns it and how it is shared."""

    owner: str
    distribution: Distribution
    agencies: tuple[str, ...] = ()
    mechanisms: tuple[str, ...] = ()
    personal: bool = False
    no_onward: bool = False

    def facts(self) -> SharingFacts:
        return SharingFacts(
            self.owner, self.distribution, frozenset(self.agencies), frozenset(self.mechanisms), self.personal
        )


@dataclass(frozen=True)
class Stored:
    uuid: str
    facts: SharingFacts
    no_onward: bool


@dataclass
class Scenario:
    client: TestClient
    factory: Factory
    people: dict[str, Person]
    records: list[Stored] = field(default_factory=list)
    requests: list[tuple[str, Stored]] = field(default_factory=list)  # (requester, record)
    counter: int = 0

    @property
    def me(self) -> Person:
        return self.people[ME]

    def visible_to_me(self, spec: Spec | SharingFacts) -> bool:
        facts = spec.facts() if isinstance(spec, Spec) else spec
        return can_see(ME, facts, RULES, TODAY)

    def create(self, spec: Spec, hidden: bool) -> Stored:
        self.counter += 1
        words = f"Hidden {SECRET} {self.counter}" if hidden else f"Visible {self.counter}"
        report = self.factory.report(
            self.people[spec.owner],
            title=words,
            body=f"Body of {words}.",
            tags=[SECRET] if hidden else ["plain"],
            distribution=spec.distribution.value,
            agencies=list(spec.agencies),
            mechanisms=list(spec.mechanisms),
            contains_personal_data=spec.personal,
            handling_conditions=[NOS] if spec.no_onward else [],
        )
        return self._stored(report.uuid, spec.facts(), spec.no_onward)

    def create_raw(
        self,
        owner: str,
        distribution: Distribution,
        shares: Sequence[tuple[str, int]],
        personal: bool = False,
    ) -> Stored:
        """A hidden record with targets the service would refuse (none, unknown ids, ids of the wrong
        kind), written straight to the store."""
        self.counter += 1
        p = self.factory.p
        ref = str(uuid.uuid4())
        now = self.factory.clock()
        owner_id, author = self.factory.agency_id(owner), self.people[owner].user_id
        with p.db.unit() as s:
            s.add(
                IntelReport(
                    uuid=ref,
                    owner_agency_id=owner_id,
                    distribution=distribution.value,
                    contains_personal_data=personal,
                    title=f"Hidden {SECRET} raw {self.counter}",
                    body="",
                    category="other",
                    source_reliability="X",
                    info_accuracy=4,
                    tags=[SECRET],
                    created_at=now,
                    updated_at=now,
                    created_by_id=author,
                    updated_by_id=author,
                )
            )
            s.add_all([RecordShare(record_uuid=ref, target_kind=k, target_id=i) for k, i in shares])
        # Callers pass only targets that name no real target of the right kind: they reach nobody.
        facts = SharingFacts(
            owner,
            distribution,
            frozenset({"unknown"} if shares else set()),
            frozenset({"unknown"} if shares else set()),
            personal,
        )
        return self._stored(ref, facts, False)

    def _stored(self, ref: str, facts: SharingFacts, no_onward: bool) -> Stored:
        stored = Stored(ref, facts, no_onward)
        self.records.append(stored)
        return stored

    def onward(self, requester: str, record: Stored, add: list[str]) -> None:
        p = self.factory.p
        with p.db.unit() as s:
            p.onward.request(
                s,
                self.factory.actor(self.people[requester]),
                record.uuid,
                OnwardRequestCreate(add_agencies=add, reason="please share"),
            )
        self.requests.append((requester, record))


def build(client: TestClient, factory: Factory) -> Scenario:
    p, console = factory.p, factory.console()
    for code in AGENCIES:
        factory.agency(code)
    with p.db.unit() as s:
        for mech in MECHANISMS:
            founders = [m.agency for m in MEMBERSHIPS if m.mechanism == mech and m.joined == LONG_AGO]
            p.structure.create_mechanism(s, console, _mechanism(mech, founders))
        for m in MEMBERSHIPS:
            if m.joined != LONG_AGO:
                p.structure.join(s, console, m.mechanism, MembershipChange(agency=m.agency, date=m.joined))
        for m in MEMBERSHIPS:
            if m.left is not None:
                p.structure.leave(s, console, m.mechanism, MembershipChange(agency=m.agency, date=m.left))
        for i, a in enumerate(AGREEMENTS):
            p.structure.create_agreement(
                s,
                console,
                AgreementCreate(
                    title=f"Agreement {i}",
                    kind="mechanism" if a.mechanism else "bilateral",
                    agencies=sorted(a.agencies),
                    mechanism=a.mechanism,
                    allows_personal_data=a.allows_personal_data,
                    categories=["intelligence", "personal_data"]
                    if a.allows_personal_data
                    else ["intelligence"],
                    valid_from=a.valid_from,
                    valid_to=a.valid_to,
                ),
            )
    people = {code: analyst(factory, code) for code in AGENCIES}
    scenario = Scenario(client, factory, people)
    # What the caller may see before anything hidden exists, and onward requests it is party to.
    base = [
        Spec(ME, Distribution.AGENCY, personal=True),
        Spec(ME, Distribution.ALL, no_onward=True),
        Spec(CO, Distribution.MECHANISMS, mechanisms=("MEK",), personal=True),  # partner through MEK
        Spec(PARTNER, Distribution.ALL, personal=True),  # bilateral partner
        Spec(NO_PD, Distribution.AGENCIES, agencies=(ME,)),
        Spec(NO_PD, Distribution.MECHANISMS, mechanisms=("MEK2",), no_onward=True),
        Spec(OUT, Distribution.ALL, no_onward=True),  # visible, withheld from exports
        Spec(LEFT, Distribution.ALL),
        Spec(SOON, Distribution.AGENCIES, agencies=(ME, OUT)),
        Spec(EDGE, Distribution.ALL, personal=True),  # agreement valid from today to today
        Spec(JOIN, Distribution.MECHANISMS, mechanisms=("MEK",), personal=True),  # joined MEK today
    ]
    stored = [scenario.create(spec, hidden=False) for spec in base]
    assert all(scenario.visible_to_me(s) for s in base)
    scenario.onward(ME, stored[2], [OUT])
    scenario.onward(PARTNER, stored[1], [OUT])
    return scenario


def analyst(factory: Factory, agency: str) -> Person:
    """An analyst with an API token, written straight to the store: ``factory.user`` hashes a password
    with argon2 (about half a second each), and these users never sign in with one."""
    p = factory.p
    with p.db.unit() as s:
        user = User(
            uuid=str(uuid.uuid4()),
            username=f"analyst.{agency.lower()}",
            agency_id=factory.agency_id(agency),
            roles=["analyst"],
            password_hash="!unusable",
            created_at=factory.clock(),
            password_changed_at=factory.clock(),
        )
        s.add(user)
        s.flush()
        token, _ = p.auth.issue_token(s, factory.console(), user, "test", None)
        return Person(user.username, agency, ("analyst",), token, user.id, "")


def _mechanism(code: str, members: list[str]) -> MechanismCreate:
    return MechanismCreate(
        code=code,
        name_en=f"Mechanism {code}",
        kind="multilateral",
        members=[MembershipChange(agency=a, date=LONG_AGO) for a in members],
    )


# -- what the caller can observe ----------------------------------------------------------------------------

VOLATILE = frozenset({"request_id", "x-request-id"})
KEPT_HEADERS = ("content-type", "content-disposition", "x-interdict-exported", "x-interdict-withheld")


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def observed(resp: Response, *, replace: tuple[str, str] | None = None) -> tuple[Any, ...]:
    """Status, the headers that carry meaning, and the body (parsed JSON minus volatile fields)."""
    text = resp.text if replace is None else resp.text.replace(*replace)
    ctype = resp.headers.get("content-type", "")
    body: Any = _strip(json.loads(text)) if "json" in ctype and "ndjson" not in ctype else text
    return (resp.status_code, tuple((h, resp.headers.get(h)) for h in KEPT_HEADERS), body)


PAGE = 5
FILTERS: tuple[dict[str, str], ...] = (
    {"q": SECRET},
    {"tag": SECRET},
    {"owner": OUT},
    {"owner": FORMER},
    {"distribution": "all"},
    {"distribution": "agencies"},
    {"distribution": "mechanisms"},
    {"distribution": "agency"},
)
QUICK_FILTERS = FILTERS[:3]  # for the generated examples: the filters that single hidden records out


def snapshot(sc: Scenario, filters: Sequence[dict[str, str]] = FILTERS) -> dict[str, Any]:
    c, h = sc.client, sc.me.headers
    out: dict[str, Any] = {}

    def pages(path: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        got, offset = [], 0
        while True:
            resp = c.get(path, params={**params, "limit": PAGE, "offset": offset}, headers=h)
            got.append(observed(resp))
            if resp.status_code != 200 or not resp.json()["has_more"]:
                return got
            offset += PAGE

    out["list-pages"] = pages(f"{API}/intel-reports", {"with_total": "true"})
    out["count"] = observed(c.get(f"{API}/intel-reports/count", headers=h))
    for fmt in ("csv", "jsonl"):
        out[f"export-{fmt}"] = observed(
            c.get(f"{API}/intel-reports/export", params={"format": fmt}, headers=h)
        )
    for f in filters:
        key = ",".join(f"{k}={v}" for k, v in f.items())
        out[f"list[{key}]"] = pages(f"{API}/intel-reports", {**f, "with_total": "true"})
        out[f"count[{key}]"] = observed(c.get(f"{API}/intel-reports/count", params=f, headers=h))
        out[f"export[{key}]"] = observed(
            c.get(f"{API}/intel-reports/export", params={**f, "format": "jsonl"}, headers=h)
        )
    out["get-missing"] = observed(c.get(f"{API}/intel-reports/{MISSING}", headers=h))
    out["onward"] = pages(f"{API}/onward-requests", {})
    out["onward-pending"] = pages(f"{API}/onward-requests", {"status": "pending"})
    return out


PROBES: tuple[tuple[str, str, dict[str, Any] | None], ...] = (
    ("", "GET", None),
    ("/access-log", "GET", None),
    ("/attachments/" + MISSING, "GET", None),
    ("/onward-requests", "POST", {"add_agencies": [ME], "reason": "please"}),
)


def missing_answers(sc: Scenario) -> list[tuple[Any, ...]]:
    c, h = sc.client, sc.me.headers
    return [
        observed(c.request(method, f"{API}/intel-reports/{MISSING}{path}", headers=h, json=body))
        for path, method, body in PROBES
    ]


def hidden_answers_like_missing(sc: Scenario, ref: str, missing: list[tuple[Any, ...]]) -> None:
    """A hidden record answers every read exactly as a uuid that does not exist (``missing_answers``)."""
    c, h = sc.client, sc.me.headers
    for (path, method, body), expected in zip(PROBES, missing, strict=True):
        hidden = c.request(method, f"{API}/intel-reports/{ref}{path}", headers=h, json=body)
        assert hidden.status_code == 404, (path, hidden.text)
        assert observed(hidden, replace=(ref, MISSING)) == expected, path


def assert_same(before: dict[str, Any], after: dict[str, Any]) -> None:
    changed = [k for k in before if before[k] != after[k]]
    assert not changed, f"answers changed after adding records the caller may not see: {changed}"


def assert_matches_oracle(sc: Scenario, snap: dict[str, Any]) -> None:
    visible = {r.uuid for r in sc.records if sc.visible_to_me(r.facts)}
    exportable = {
        r.uuid for r in sc.records if r.uuid in visible and (r.facts.owner == ME or not r.no_onward)
    }
    listed = [item["uuid"] for page in snap["list-pages"] for item in page[2]["items"]]
    assert len(listed) == len(set(listed)), "a record appeared on two pages"
    assert set(listed) == visible
    assert snap["list-pages"][0][2]["total"] == len(visible)
    assert snap["count"][2] == {"count": len(visible)}
    jsonl = [json.loads(line)["uuid"] for line in snap["export-jsonl"][2].splitlines()]
    assert sorted(jsonl) == sorted(exportable)
    rows = list(csv.DictReader(io.StringIO(snap["export-csv"][2])))
    assert sorted(r["uuid"] for r in rows) == sorted(exportable)
    headers = dict(snap["export-jsonl"][1])
    assert headers["x-interdict-exported"] == str(len(exportable))
    assert headers["x-interdict-withheld"] == str(len(visible) - len(exportable))
    # Onward requests: those made to the caller as owner, and its own while it may see the record.
    expected = sorted(
        (record.uuid, requester)
        for requester, record in sc.requests
        if record.facts.owner == ME or (requester == ME and record.uuid in visible)
    )
    listed_requests = [
        (i["record_uuid"], i["requester_agency"]) for page in snap["onward"] for i in page[2]["items"]
    ]
    assert sorted(listed_requests) == expected


# -- hidden records: every reason a record may not reach the caller ------------------------------------------

HIDDEN: tuple[Spec, ...] = (
    Spec(OUT, Distribution.AGENCY),
    Spec(OUT, Distribution.AGENCY, personal=True, no_onward=True),
    Spec(OUT, Distribution.AGENCIES, agencies=(CO, PARTNER)),
    Spec(OUT, Distribution.MECHANISMS, mechanisms=("OTH",)),  # the caller is not in OTH
    Spec(CO, Distribution.MECHANISMS, mechanisms=("OTH",), personal=True),
    Spec(OUT, Distribution.ALL, personal=True),  # no agreement with the caller (only with CO)
    Spec(FORMER, Distribution.ALL, personal=True),  # MEK agreement, but FORMER left yesterday
    Spec(LEFT, Distribution.ALL, personal=True),  # left today: no longer a member
    Spec(NEXT, Distribution.AGENCIES, agencies=(ME,), personal=True),  # joins tomorrow: not yet
    Spec(EXPIRED, Distribution.AGENCIES, agencies=(ME,), personal=True),  # agreement ended yesterday
    Spec(SOON, Distribution.ALL, personal=True),  # agreement starts tomorrow
    Spec(NO_PD, Distribution.MECHANISMS, mechanisms=("MEK2",), personal=True),  # no PD agreement at all
    Spec(NO_PD, Distribution.AGENCIES, agencies=(ME,), personal=True),
    Spec(PARTNER, Distribution.AGENCIES, agencies=(OUT,), personal=True),  # partner, but not shared
)


def add_hidden(sc: Scenario, specs: Sequence[Spec]) -> list[Stored]:
    added = []
    for spec in specs:
        assert not sc.visible_to_me(spec), spec
        added.append(sc.create(spec, hidden=True))
    # Onward requests about hidden records between other agencies, even ones asking to add the caller.
    for stored in added:
        for requester in AGENCIES:
            if requester not in (ME, stored.facts.owner) and can_see(requester, stored.facts, RULES, TODAY):
                sc.onward(requester, stored, [ME])
                break
    return added


def add_raw_hidden(sc: Scenario) -> list[Stored]:
    me_id = sc.factory.agency_id(ME)
    huge = 2_000_000_000
    return [
        sc.create_raw(OUT, Distribution.AGENCIES, []),  # names nobody
        sc.create_raw(OUT, Distribution.MECHANISMS, []),
        sc.create_raw(OUT, Distribution.AGENCIES, [("agency", -1), ("agency", huge), ("mechanism", me_id)]),
        sc.create_raw(
            OUT, Distribution.MECHANISMS, [("mechanism", -1), ("mechanism", huge), ("agency", me_id)]
        ),
    ]


def test_hidden_records_change_no_answer(client: TestClient, world: Factory) -> None:
    sc = build(client, world)
    before = snapshot(sc)
    assert_matches_oracle(sc, before)
    added = add_hidden(sc, HIDDEN) + add_raw_hidden(sc)
    after = snapshot(sc)
    assert_same(before, after)
    assert_matches_oracle(sc, after)
    missing = missing_answers(sc)
    for stored in added:
        hidden_answers_like_missing(sc, stored.uuid, missing)
    # The other agencies did see what was meant for them: the hidden records are real and reachable.
    for who in (CO, PARTNER, OUT):
        listed = client.get(f"{API}/intel-reports", params={"limit": 200}, headers=sc.people[who].headers)
        expected = {r.uuid for r in sc.records if can_see(who, r.facts, RULES, TODAY)}
        assert {i["uuid"] for i in listed.json()["items"]} == expected


# -- generated: random records, the hidden ones added between two snapshots ---------------------------------

CURRENT = {a: sorted(RULES.current_mechanisms(a, TODAY)) for a in AGENCIES}


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    owner = draw(st.sampled_from(AGENCIES))
    dist = draw(st.sampled_from(list(Distribution)))
    agencies: tuple[str, ...] = ()
    mechanisms: tuple[str, ...] = ()
    if dist is Distribution.AGENCIES:
        agencies = tuple(draw(st.lists(st.sampled_from(AGENCIES), min_size=1, max_size=3, unique=True)))
    if dist is Distribution.MECHANISMS:
        if not CURRENT[owner]:
            dist = Distribution.AGENCY  # the service lets an agency name only its own mechanisms
        else:
            mechanisms = tuple(draw(st.lists(st.sampled_from(CURRENT[owner]), min_size=1, unique=True)))
    return Spec(owner, dist, agencies, mechanisms, draw(st.booleans()), draw(st.booleans()))


GENERATED_EXAMPLES = 10


def test_generated_hidden_records_change_no_answer(client: TestClient, world: Factory) -> None:
    sc = build(client, world)
    missing = missing_answers(sc)
    examples = 0

    @settings(
        max_examples=GENERATED_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(batch=st.lists(specs(), min_size=1, max_size=8))
    def check(batch: list[Spec]) -> None:
        nonlocal examples
        examples += 1
        before = snapshot(sc, QUICK_FILTERS)
        assert_matches_oracle(sc, before)
        hidden = [s for s in batch if not sc.visible_to_me(s)]
        added = add_hidden(sc, hidden)
        assert_same(before, snapshot(sc, QUICK_FILTERS))
        for stored in added:
            hidden_answers_like_missing(sc, stored.uuid, missing)
        # Then grow what the next example's snapshot must hold steady: visible records, and an onward
        # request the caller is party to (made by it, or made to it as owner).
        shown = [sc.create(spec, hidden=False) for spec in batch if sc.visible_to_me(spec)]
        for stored in shown[:1]:
            if stored.facts.owner != ME:
                sc.onward(ME, stored, [OUT])
            else:
                asker = next(
                    (a for a in AGENCIES if a != ME and can_see(a, stored.facts, RULES, TODAY)), None
                )
                if asker is not None:
                    sc.onward(asker, stored, [OUT])

    check()
    assert_matches_oracle(sc, snapshot(sc))
    assert examples >= GENERATED_EXAMPLES
