"""Authorization matrix: every route x role x relation to a record's owner x distribution x id form.

The routes come from the app's own route table and are diffed against the hand-written classification in
``tests/api/policy.py``: a new /api/v1 endpoint fails ``test_every_route_is_classified`` until it is
classified there (and given a sample request here), and once classified the tests below exercise it by its
class. Expected answers come from the tables in ``policy.py``, written by hand; they meet the code under
test's own sharing rule only in ``test_hand_written_visibility_agrees_with_the_sharing_rule``.

One world per database (SQLite and PostgreSQL), built once for the module: an agency in every relation to
the owner OWN (``policy.Rel``: named, member, former member, outsider, each with and without a
personal-data agreement), a user of every role in each, OWN's records in every distribution with and
without personal data, each with an attachment, onward-sharing requests (one made a year ago by FORMER,
before it left the mechanism), spare API tokens. Each test covers a slice of the matrix in one go and
reports every failing case at once.

Every answer of every test is scanned: no body or header given to a caller may hold the uuid, title, body,
attachment name or attachment content of a record the caller's agency may not see, apart from the ids the
caller itself sent (404 problems echo the ref). Records a caller may not see answer exactly like a
never-existing id of the same form.

Coverage: record routes by uuid with every role wherever the caller's agency sees the record, and with the
platform admin plus one rotating role where it does not (the answer is the same 404 whatever the role);
the other id forms (upper case, integer key, uuid without hyphens, a child's id) for every route x record,
asked by the owner and one other relation, roles rotating. INTERDICT_AUTHZ_FULL=1 runs the whole cross
product instead (about 4x the cases and time).

The last test makes real writes; all earlier ones change no record (denied writes are real writes that
must be refused; allowed ones are probes refused after authorization, e.g. a stale version), and the
record-route test checks the owner's view of every record before and after.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import secrets
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pyotp
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy import select

from interdict.api.app import create_app
from interdict.domain import sharing as rule
from interdict.domain.roles import Role
from interdict.schemas.intel import OnwardRequestCreate
from interdict.schemas.precursor_incidents import PrecursorIncidentCreate
from interdict.schemas.seizures import OperationCreate, SeizureCreate
from interdict.schemas.structure import AgreementCreate
from interdict.services import auth
from interdict.services.entities import EntityDraft
from interdict.services.platform import Platform
from interdict.services.sharing import DistributionRequest
from interdict.settings import Settings
from interdict.store.identity import ApiToken, User
from tests.api.policy import (
    AGREEMENTS,
    AGREEMENTS_SEEN,
    ALLOWED,
    API,
    CURRENT_MECHANISMS,
    CURRENT_ROSTER,
    DISTRIBUTIONS,
    MECHANISMS,
    OWNER_REFUSED,
    PEN_COUNTRIES,
    PERMISSIONS,
    POLICY,
    ROLE_CAN,
    ROLES,
    TODAY,
    Can,
    Kind,
    Rel,
    app_route_table,
    record_route_outcome,
    routes_of,
    sees,
)
from tests.conftest import Clock, _fresh_sqlite, _pg_admin, _pg_url, make_settings
from tests.factories import Person, World

CONCURRENCY = int(os.environ.get("INTERDICT_AUTHZ_CONCURRENCY", "8"))  # requests in flight at once
# INTERDICT_AUTHZ_FULL=1: the whole cross product (every role for every cell and id form); about 4x longer.
FULL = os.environ.get("INTERDICT_AUTHZ_FULL", "") == "1"
PROBLEM = "application/problem+json"
NOPE_AGENCY = "NOPE-AGENCY"
STRUCTURE_TYPES = {"agency", "mechanism", "agreement"}
R = f"{API}/intel-reports"
S = f"{API}/seizures"
PI = f"{API}/precursors/incidents"
PN = f"{API}/precursors/notifications"


# ---------------------------------------------------------------------------------------------------
# The world
# ---------------------------------------------------------------------------------------------------
@dataclass
class Rec:
    key: str
    owner: Rel
    distribution: str
    personal_data: bool
    seen_by: set[Rel]
    uuid: str
    pk: int
    title: str
    body: str
    no_onward: bool = False
    agencies: list[str] = field(default_factory=list)  # the targets, as the owner sees them
    mechanisms: list[str] = field(default_factory=list)
    att_uuid: str = ""
    att_name: str = ""
    att_content: bytes = b""
    old_markers: list[str] = field(default_factory=list)  # titles/bodies/attachments it had before

    def markers(self) -> dict[str, str]:
        out = {
            self.uuid: f"uuid of {self.key}",
            self.uuid.replace("-", ""): f"uuid (hex) of {self.key}",
            self.title: f"title of {self.key}",
            self.body: f"body of {self.key}",
        }
        if self.att_uuid:
            out[self.att_uuid] = f"attachment uuid of {self.key}"
            out[self.att_name] = f"attachment name of {self.key}"
            out[self.att_content.decode().strip()] = f"attachment content of {self.key}"
        out.update({m: f"earlier field of {self.key}" for m in self.old_markers})
        return {k.lower(): v for k, v in out.items()}


@dataclass
class Onward:
    key: str
    uuid: str
    pk: int
    record: str  # Rec key
    requester: Rel


@dataclass
class Scene:
    app: FastAPI
    platform: Platform
    clock: Clock
    world: World
    users: dict[tuple[Rel, str], Person]
    author: Person  # OWN's investigator who wrote OWN's records (may decide onward requests on them)
    login: Person  # an OUTSIDER reader used only to sign in anonymously
    records: dict[str, Rec]
    matrix: list[Rec]  # OWN's records: every distribution, with and without personal data
    onward: list[Onward]
    spare_tokens: dict[str, str]  # username -> uuid of a token nobody uses
    rel_of: dict[str, Rel] = field(default_factory=dict)
    seizures: dict[str, str] = field(default_factory=dict)  # Rec key -> uuid of its seizure twin
    entities: dict[str, str] = field(default_factory=dict)  # Rec key -> uuid of its entity twin
    entity_names: dict[str, str] = field(default_factory=dict)  # Rec key -> the twin's (marker) name
    incidents: dict[str, str] = field(default_factory=dict)  # Rec key -> uuid of its precursor-incident twin
    # Markers of other records (pre-export notifications...) and the relations that may see them.
    private: list[tuple[dict[str, str], frozenset[Rel]]] = field(default_factory=list)
    # Who sees each twin: the records' own sets change as later tests share them further; the twins don't.
    twin_seen: dict[str, frozenset[Rel]] = field(default_factory=dict)

    def user(self, rel: Rel, role: str) -> Person:
        return self.users[(rel, role)]

    @property
    def everyone(self) -> list[Person]:
        return [*self.users.values(), self.author]

    def forbidden(self, rel: Rel | None) -> dict[str, str]:
        out: dict[str, str] = {}
        for rec in self.records.values():
            if rel is None or rel not in rec.seen_by:
                out.update(rec.markers())
        for key, ref in self.entities.items():
            if rel is None or rel not in self.twin_seen[key]:
                out.update({ref: f"entity twin {key}", self.entity_names[key].lower(): f"entity twin {key} name"})
        for key, ref in self.incidents.items():
            if rel is None or rel not in self.twin_seen[key]:
                out[ref] = f"incident twin {key}"
        for markers, seen in self.private:
            if rel is None or rel not in seen:
                out.update({k.lower(): v for k, v in markers.items()})
        return out

    def visible(self, rel: Rel) -> set[str]:
        return {r.uuid for r in self.records.values() if rel in r.seen_by}


def _marker(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(6)}"


def _build(url: str, tmp: Path) -> Scene:
    platform = Platform(make_settings(url, tmp))
    clock = Clock(datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    assert clock.now.date().isoformat() == TODAY
    w = World(platform, clock)
    for rel in Rel:  # the parties of the pre-export notification test are competent authorities of 3 countries
        w.agency(rel.code, country=PEN_COUNTRIES.get(rel, "TH"))
    for code, members in MECHANISMS.items():
        assert {joined for _, joined, _ in members} == {"2020-01-01"}
        w.mechanism(code, [rel.code for rel, _, _ in members], joined=date(2020, 1, 1))
        for rel, _, left in members:
            if left:
                w.leave(code, rel.code, date.fromisoformat(left))
    with platform.db.unit() as s:
        for a in AGREEMENTS:
            platform.structure.create_agreement(s, w.console(), AgreementCreate(
                title=a.title, kind="mechanism" if a.mechanism else "bilateral",
                agencies=[r.code for r in a.agencies] if a.agencies else [], mechanism=a.mechanism,
                allows_personal_data=a.personal_data,
                categories=["intelligence", "personal_data"] if a.personal_data else ["intelligence"],
                valid_from=date.fromisoformat(a.valid_from)))
    users = {(rel, role): w.user(rel.code, role) for rel in Rel for role in ROLES}
    author = w.user(Rel.OWNER.code, "investigator")
    login = w.user(Rel.OUTSIDER.code, "reader")

    # Records, attachments and onward requests are a year old: FORMER was still in MEK then.
    clock.now = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
    records: dict[str, Rec] = {}

    def report(key: str, by: Person, owner: Rel, distribution: str, pd: bool, seen_by: set[Rel],
               agencies: Sequence[Rel] = (), mechanisms: Sequence[str] = (), no_onward: bool = False) -> Rec:
        title, body = _marker("ttl"), _marker("bdy")
        made = w.report(by, title=f"Report {title}", body=f"Seen near Bokeo. {body}", distribution=distribution,
                        agencies=[a.code for a in agencies], mechanisms=list(mechanisms),
                        contains_personal_data=pd,
                        handling_conditions=["no_onward_sharing"] if no_onward else [])
        rec = Rec(key, owner, distribution, pd, seen_by, made.uuid, made.id, f"Report {title}",
                  f"Seen near Bokeo. {body}", no_onward, sorted(a.code for a in agencies), sorted(mechanisms))
        records[key] = rec
        return rec

    targets: dict[str, tuple[list[Rel], list[str]]] = {
        "agency": ([], []), "agencies": ([Rel.NAMED, Rel.NAMED_PD], []), "mechanisms": ([], ["MEK"]), "all": ([], []),
    }
    matrix = []
    for dist in DISTRIBUTIONS:
        for pd in (False, True):
            ags, mechs = targets[dist]
            seen = {rel for rel in Rel if sees(rel, dist, pd)}
            matrix.append(report(f"{dist}/{'pd' if pd else 'nopd'}", author, Rel.OWNER, dist, pd, seen, ags, mechs))
    report("own/no-onward", author, Rel.OWNER, "all", False, set(Rel), no_onward=True)
    outsider = users[(Rel.OUTSIDER, "analyst")]
    report("foreign/agency", outsider, Rel.OUTSIDER, "agency", False, {Rel.OUTSIDER})
    # OUTSIDER's personal data, to all: only its personal-data partner NAMED (through QUE) sees it.
    report("foreign/all-pd", outsider, Rel.OUTSIDER, "all", True, {Rel.OUTSIDER, Rel.NAMED})
    report("scratch", author, Rel.OWNER, "agencies", False, {Rel.OWNER, Rel.NAMED}, [Rel.NAMED])

    # A seizure twin of every record, shared exactly like it: seizures follow the same rule.
    seizures: dict[str, str] = {}
    for rec in records.values():
        by = author if rec.owner is Rel.OWNER else outsider
        with platform.db.unit() as s:
            made = platform.seizures.create(s, w.actor(by), SeizureCreate.model_validate({
                "seized_on": "2025-05-01", "country": "TH", "distribution": rec.distribution,
                "agencies": rec.agencies, "mechanisms": rec.mechanisms, "contains_personal_data": rec.personal_data,
                "items": [{"substance": "heroin", "quantity": 1.5, "unit": "kg"}], "place": "Bokeo"}))
            seizures[rec.key] = made.uuid
    # And an entity twin (an FtM Person with a marker for a name), shared exactly like it too.
    entities: dict[str, str] = {}
    entity_names: dict[str, str] = {}
    for rec in records.values():
        by = author if rec.owner is Rel.OWNER else outsider
        name = f"Twin {_marker('ent')}"
        with platform.db.unit() as s:
            entity = platform.entities.create(s, w.actor(by), EntityDraft(
                schema="Person", properties={"name": [name], "birthDate": ["1979-03-05"]},
                distribution=DistributionRequest(rec.distribution, rec.agencies, rec.mechanisms),
                contains_personal_data=rec.personal_data))
            entities[rec.key], entity_names[rec.key] = entity.uuid, name
    # And a precursor-incident twin (a suspicious order: nothing seized, so no seizure record), shared alike.
    incidents: dict[str, str] = {}
    for rec in records.values():
        by = author if rec.owner is Rel.OWNER else outsider
        with platform.db.unit() as s:
            incident = platform.precursor_incidents.create(s, w.actor(by), PrecursorIncidentCreate.model_validate({
                "kind": "suspicious_order", "occurred_on": "2025-05-01", "country": "TH",
                "summary": f"Order {_marker('inc')}", "distribution": rec.distribution, "agencies": rec.agencies,
                "mechanisms": rec.mechanisms, "contains_personal_data": rec.personal_data,
                "chemicals": [{"substance": "acetic_anhydride", "quantity": 200, "unit": "kg"}]}))
            incidents[rec.key] = incident.uuid
    with platform.db.unit() as s:
        platform.operations.create(s, w.actor(author), OperationCreate(
            code="OP-MEK", name="Joint operation", starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31),
            participants=[Rel.MEMBER.code]))

    for rec in [*matrix, records["scratch"]]:
        rec.att_name, rec.att_content = f"{_marker('file')}.txt", f"{_marker('content')}\n".encode()
        with platform.db.unit() as s:
            att = platform.attachments.add(s, w.actor(author), rec.uuid, rec.att_name, rec.att_content)
            rec.att_uuid = att.uuid

    onward = []
    for key, record, rel in (("O-named", "agencies/nopd", Rel.NAMED), ("O-member", "mechanisms/nopd", Rel.MEMBER),
                             ("O-former", "mechanisms/nopd", Rel.FORMER)):
        requester = users[(rel, "analyst")]
        with platform.db.unit() as s:
            actor = w.actor(requester)
            platform.intel.get(s, actor, records[record].uuid)  # read while it could
            req = platform.onward.request(s, actor, records[record].uuid, OnwardRequestCreate(
                add_agencies=[Rel.OUTSIDER.code], reason=f"asked by {rel.code}"))
            onward.append(Onward(key, req.uuid, req.id, record, rel))
    clock.now = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)

    spare: dict[str, str] = {}
    with platform.db.unit() as s:
        for (rel, _), person in users.items():
            if rel in (Rel.OWNER, Rel.OUTSIDER):
                user = s.get(User, person.user_id)
                assert user is not None
                _, row = platform.auth.issue_token(s, w.console(), user, "spare", None)
                spare[person.username] = row.uuid

    scene = Scene(create_app(platform=platform, clock=clock), platform, clock, w, users, author, login, records,
                  matrix, onward, spare)
    scene.rel_of = {p.username: Rel(p.agency) for p in [*scene.everyone, login]}
    scene.seizures, scene.entities, scene.entity_names = seizures, entities, entity_names
    scene.incidents = incidents
    scene.twin_seen = {rec.key: frozenset(rec.seen_by) for rec in records.values()}
    return scene


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def scene(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
          sqlite_template: Path) -> Iterator[Scene]:
    """The world, once per database for the whole module (the tests share it; only the last one writes)."""
    tmp = tmp_path_factory.mktemp("authz")
    name = None
    if request.param == "sqlite":
        url = _fresh_sqlite(sqlite_template, tmp)
    else:
        template = request.getfixturevalue("pg_template")
        if template is None:
            pytest.skip("PostgreSQL not reachable (set CI=true to make this a failure)")
        name = f"interdict_authz_{uuid.uuid4().hex[:12]}"
        _pg_admin(f"CREATE DATABASE {name} TEMPLATE {template}")
        url = _pg_url(name)
    with pytest.MonkeyPatch.context() as mp:
        # Cheap Argon2 parameters for the 66 users made here (the defaults cost ~0.2 s a hash).
        mp.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        built = _build(url, tmp)
        yield built
        built.platform.db.dispose()
    if name:
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# ---------------------------------------------------------------------------------------------------
# Running cases: concurrently, every answer scanned for forbidden records' fields
# ---------------------------------------------------------------------------------------------------
@dataclass
class Answer:
    status: int
    headers: httpx.Headers
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)

    @property
    def problem(self) -> dict[str, Any]:
        body = self.json() if self.content else {}
        return body if isinstance(body, dict) else {}


Check = Callable[[Answer], str | None]


@dataclass
class Case:
    label: str
    method: str
    url: str
    who: Person | None
    check: Check
    json: Any = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    echo: tuple[str, ...] = ()  # ids the caller sent (404 problems may echo them)
    bearer: str | None = None  # a raw credential instead of the user's token
    audit_echo: bool = False  # an audit page: paths of the agency's own refused requests are echoes


class Failures(list[str]):
    def check(self) -> None:
        assert not self, f"{len(self)} failing case(s):\n" + "\n".join(self[:80])


async def _send(app: FastAPI, cases: Sequence[Case], concurrency: int) -> list[Answer]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        gate = asyncio.Semaphore(concurrency)

        async def one(case: Case) -> Answer:
            headers = {}
            if case.bearer is not None:
                headers["Authorization"] = f"Bearer {case.bearer}"
            elif case.who is not None:
                headers = case.who.headers
            async with gate:
                r = await client.request(case.method, case.url, headers=headers, json=case.json,
                                         files=case.files)
            return Answer(r.status_code, r.headers, r.content)

        return await asyncio.gather(*(one(c) for c in cases))


def run(scene: Scene, cases: Sequence[Case], failures: Failures, concurrency: int = CONCURRENCY) -> list[Answer]:
    """Send every case, check each answer and scan it for leaks; failures are collected, not raised."""
    answers = asyncio.run(_send(scene.app, cases, concurrency))
    forbidden_of: dict[Rel | None, dict[str, str]] = {}
    for case, answer in zip(cases, answers, strict=True):
        who = f"{case.who.agency}/{case.who.roles[0]}" if case.who else "anonymous"
        label = f"{case.label} [{who}: {case.method} {case.url}]"
        try:
            problem = case.check(answer)
        except Exception as exc:  # a malformed answer is a failure of that case, not of the run
            problem = f"check raised {exc!r}"
        if problem:
            failures.append(f"{label}: {problem}; got {answer.status} {answer.content[:300]!r}")
        rel = scene.rel_of[case.who.username] if case.who else None
        if rel not in forbidden_of:
            forbidden_of[rel] = scene.forbidden(rel)
        leaked = _leaks(case, answer, forbidden_of[rel])
        if leaked:
            failures.append(f"{label}: LEAK of {', '.join(sorted(leaked))}")
    return answers


def _leaks(case: Case, answer: Answer, forbidden: dict[str, str]) -> set[str]:
    text = (answer.content.decode("utf-8", "replace") + "\n" + "\n".join(
        f"{k}: {v}" for k, v in answer.headers.items())).lower()
    echoes = [e.lower() for e in case.echo]
    if case.audit_echo and case.who is not None and answer.status == 200:
        for item in answer.json()["items"]:
            if item["action"] == "request.denied" and item["actor_agency"] == case.who.agency:
                echoes.append(str(json.loads(item["detail"]).get("path", "")).lower())
    for e in sorted(echoes, key=len, reverse=True):
        if e:
            text = text.replace(e, "")
    return {label for marker, label in forbidden.items() if marker in text}


# -- checks ------------------------------------------------------------------------------------------
def expect(status: int, *, code: str | None = None, fields: set[str] | None = None,
           then: Callable[[Answer], str | None] | None = None) -> Check:
    """The status; for problems the code and the fields named; then any further check."""

    def check(a: Answer) -> str | None:
        if a.status != status:
            return f"expected {status}"
        if status >= 400:
            p = a.problem
            if not a.headers.get("content-type", "").startswith(PROBLEM):
                return "error answer is not problem+json"
            if code is not None and p.get("code") != code:
                return f"expected problem code {code!r}"
            if fields is not None and {e["field"] for e in p.get("errors", [])} != fields:
                return f"expected errors on {sorted(fields)}"
        return then(a) if then else None

    return check


def _normal(a: Answer, refs: Sequence[str]) -> tuple[int, str, Any]:
    text = a.content.decode("utf-8", "replace")
    for ref in refs:  # problems quote the ids they echo: 'ref'
        text = text.replace(f"'{ref}'", "'<ref>'")
    return a.status, a.headers.get("content-type", ""), json.loads(text) if text else None


def like(reference: Answer, reference_refs: Sequence[str], refs: Sequence[str]) -> Check:
    """Answers exactly like ``reference`` (a never-existing id), but for the ids echoed in ``detail``."""

    def check(a: Answer) -> str | None:
        if a.status != reference.status:
            return f"expected {reference.status} like a missing one"
        if _normal(a, refs) != _normal(reference, reference_refs):
            return f"differs from the answer for a missing one: {reference.content[:300]!r}"
        return None

    return check


def _jsonl_uuids(a: Answer) -> list[str]:
    return [json.loads(line)["uuid"] for line in a.content.decode().splitlines() if line.strip()]


def _csv_uuids(a: Answer) -> list[str]:
    rows = list(csv.DictReader(io.StringIO(a.content.decode())))
    return [r["uuid"] for r in rows]


def same_set(name: str, got: Any, want: set[str]) -> str | None:
    got_set = set(got)
    if got_set != want:
        return f"{name}: extra {sorted(got_set - want)}, missing {sorted(want - got_set)}"
    return None


def listing(name: str, pick: Callable[[Any], Any], want: set[str], subset: bool = False) -> Callable[[Answer], str | None]:
    """The names ``pick`` takes from the JSON answer are exactly ``want`` (or within it)."""

    def check(a: Answer) -> str | None:
        got = set(pick(a.json()))
        if subset:
            return None if got <= want else f"{name}: unexpected {sorted(got - want)}"
        return same_set(name, got, want)

    return check


def field_is(key: str, value: Any) -> Callable[[Answer], str | None]:
    def check(a: Answer) -> str | None:
        return None if a.json()[key] == value else f"{key} is not {value!r}"

    return check


def _no_body(scene: Scene) -> dict[str, Any]:
    return {}


def _same(ref: str) -> str:
    return ref


# ---------------------------------------------------------------------------------------------------
# The route table
# ---------------------------------------------------------------------------------------------------
def _bare_app(tmp_path: Path) -> FastAPI:
    return create_app(Settings(environment="test", database_url=f"sqlite:///{tmp_path}/x.db",
                               data_dir=tmp_path, secret_key="k" * 48))


def test_every_route_is_classified(tmp_path: Path) -> None:
    served = app_route_table(_bare_app(tmp_path))
    unclassified = sorted(served - set(POLICY))
    stale = sorted(set(POLICY) - served)
    assert not unclassified, f"routes missing from tests/api/policy.py POLICY: {unclassified}"
    assert not stale, f"POLICY entries with no route: {stale}"
    unbuildable = sorted(k for k in served if k[0] not in ("GET", "HEAD") and k not in SAMPLE_BODY)
    assert not unbuildable, f"routes without a sample request in SAMPLE_BODY: {unbuildable}"
    assert set(ROLE_CAN) == {r.value for r in Role}, "tests/api/policy.py ROLE_CAN must list every role"


def test_hand_written_visibility_agrees_with_the_sharing_rule() -> None:
    """The one place the matrix meets the code under test's own rule: the domain predicate."""
    memberships = tuple(
        rule.Membership(rel.code, code, date.fromisoformat(j), date.fromisoformat(left) if left else None)
        for code, members in MECHANISMS.items() for rel, j, left in members)
    agreements = tuple(
        rule.Agreement(a.personal_data, date.fromisoformat(a.valid_from),
                       agencies=frozenset(r.code for r in a.agencies or ()), mechanism=a.mechanism)
        for a in AGREEMENTS)
    world = rule.World(memberships, agreements, frozenset(r.code for r in Rel))
    day = date.fromisoformat(TODAY)
    targets = {"agencies": frozenset({Rel.NAMED.code, Rel.NAMED_PD.code}), "mechanisms": frozenset({"MEK"})}
    wrong = []
    for rel in Rel:
        assert world.current_mechanisms(rel.code, day) == frozenset(CURRENT_MECHANISMS[rel]), rel
        for dist in DISTRIBUTIONS:
            for pd in (False, True):
                facts = rule.SharingFacts(Rel.OWNER.code, rule.Distribution(dist),
                                          agencies=targets["agencies"] if dist == "agencies" else frozenset(),
                                          mechanisms=targets["mechanisms"] if dist == "mechanisms" else frozenset(),
                                          contains_personal_data=pd)
                if rule.can_see(rel.code, facts, world, day) != sees(rel, dist, pd):
                    wrong.append((rel.code, dist, pd))
    assert not wrong, f"policy.VISIBLE and the sharing rule disagree on {wrong}"


# Sample requests: a body for every route that takes one (the anonymous test sends them; the meta-test
# above requires one for every non-GET route).
def _file(name: str, data: bytes) -> dict[str, tuple[str, bytes, str]]:
    return {"file": (name, data, "text/plain")}


SAMPLE_BODY: dict[tuple[str, str], Callable[[Scene], dict[str, Any]]] = {
    ("POST", f"{API}/auth/login"): lambda s: {"json": {"username": s.login.username, "password": s.login.password}},
    ("POST", f"{API}/auth/logout"): lambda s: {},
    ("POST", f"{API}/auth/mfa/enrol"): lambda s: {},
    ("POST", f"{API}/auth/mfa/confirm"): lambda s: {"json": {"code": "123456"}},
    ("POST", f"{API}/auth/password"): lambda s: {"json": {"current_password": "x", "new_password": "y" * 20}},
    ("POST", f"{API}/agencies"): lambda s: {"json": {"code": "NEW-AG", "name_en": "New", "country": "TH",
                                                     "kind": "police"}},
    ("PATCH", f"{API}/agencies/{{code}}"): lambda s: {"json": {"mfa_required": False}},
    ("POST", f"{API}/mechanisms"): lambda s: {"json": {"code": "NEW-MECH", "name_en": "New", "kind": "multilateral"}},
    ("POST", f"{API}/mechanisms/{{code}}/members"): lambda s: {"json": {"agency": Rel.OUTSIDER.code, "date": TODAY}},
    ("POST", f"{API}/mechanisms/{{code}}/members/leave"): lambda s: {"json": {"agency": Rel.MEMBER.code,
                                                                             "date": TODAY}},
    ("POST", f"{API}/agreements"): lambda s: {"json": {"title": "New", "kind": "mechanism", "mechanism": "MEK",
                                                       "valid_from": TODAY}},
    ("POST", f"{API}/users"): lambda s: {"json": {"username": "new.user", "roles": ["reader"]}},
    ("PATCH", f"{API}/users/{{username}}"): lambda s: {"json": {"disabled": True}},
    ("POST", f"{API}/users/{{username}}/mfa-reset"): lambda s: {},
    ("POST", f"{API}/users/{{username}}/password-reset"): lambda s: {},
    ("POST", f"{API}/tokens"): lambda s: {"json": {"name": "new"}},
    ("DELETE", f"{API}/tokens/{{token_uuid}}"): lambda s: {},
    ("POST", R): lambda s: {"json": {"title": "New", "distribution": "all"}},
    ("PATCH", f"{R}/{{ref}}"): lambda s: {"json": {"version": 1, "title": "Changed"}},
    ("PUT", f"{R}/{{ref}}/distribution"): lambda s: {"json": {"distribution": "all", "reason": "wider"}},
    ("POST", f"{R}/{{ref}}/attachments"): lambda s: {"files": _file("a.txt", b"text")},
    ("POST", f"{R}/{{ref}}/onward-requests"): lambda s: {"json": {"add_agencies": [Rel.OUTSIDER_PD.code],
                                                                  "reason": "please"}},
    ("POST", f"{API}/onward-requests/{{ref}}/decision"): lambda s: {"json": {"approve": True}},
    ("POST", S): lambda s: {"json": {"seized_on": TODAY, "country": "TH",
                                     "items": [{"substance": "heroin", "quantity": 1, "unit": "kg"}]}},
    ("POST", f"{S}/imports"): lambda s: {"files": {"file": ("s.csv", b"seized_on,country,substance,quantity,unit\n",
                                                            "text/csv")}},
    ("PUT", f"{S}/{{ref}}/distribution"): lambda s: {"json": {"distribution": "all", "reason": "wider"}},
    ("PUT", f"{S}/{{ref}}/operation"): lambda s: {"json": {"operation": None, "version": 1}},
    ("POST", f"{API}/operations"): lambda s: {"json": {"code": "NEW-OP", "name": "New", "starts_on": TODAY,
                                                       "ends_on": TODAY}},
    ("PUT", f"{API}/operations/{{code}}/results"): lambda s: {"json": {"lines": [{"cases": 1}]}},
    ("POST", f"{API}/crosscheck"): lambda s: {"json": {"names": ["Zhang Wei"]}},
    ("POST", f"{API}/watchlists/imports"): lambda s: {"files": {"file": ("l.jsonl", b"", "application/x-ndjson")}},
    ("POST", f"{API}/entities"): lambda s: {"json": {"schema": "Person", "properties": {"name": ["Zhang Wei"]}}},
    ("POST", f"{API}/entities/imports"): lambda s: {"files": {"file": ("e.jsonl", b"", "application/x-ndjson")}},
    ("PATCH", f"{API}/entities/{{ref}}"): lambda s: {"json": {"properties": {"name": ["Wei Zhang"]}, "version": 1}},
    ("PUT", f"{API}/entities/{{ref}}/distribution"): lambda s: {"json": {"distribution": "all", "reason": "wider"}},
    ("POST", f"{API}/rfis"): lambda s: {"json": {"recipient": Rel.OUTSIDER.code, "title": "Who is this?"}},
    ("POST", f"{API}/rfis/{{ref}}/acknowledge"): lambda s: {},
    ("POST", f"{API}/rfis/{{ref}}/messages"): lambda s: {"json": {"body": "Any news?"}},
    ("POST", f"{API}/rfis/{{ref}}/answer"): lambda s: {"json": {"body": "Here it is.", "records": []}},
    ("POST", f"{API}/rfis/{{ref}}/decline"): lambda s: {"json": {"reason": "Not ours."}},
    ("POST", f"{API}/rfis/{{ref}}/withdraw"): lambda s: {"json": {"reason": "Found it."}},
    ("POST", f"{API}/cases"): lambda s: {"json": {"title": "New case", "offences": ["drug_trafficking"]}},
    ("PATCH", f"{API}/cases/{{ref}}"): lambda s: {"json": {"version": 1, "title": "Changed"}},
    ("POST", f"{API}/cases/{{ref}}/status"): lambda s: {"json": {"status": "closed"}},
    ("POST", f"{API}/cases/{{ref}}/participants"): lambda s: {"json": {"agency": Rel.OUTSIDER.code}},
    ("DELETE", f"{API}/cases/{{ref}}/participants/{{agency}}"): lambda s: {},
    ("POST", f"{API}/cases/{{ref}}/links"): lambda s: {"json": {"record": s.records["all/nopd"].uuid}},
    ("DELETE", f"{API}/cases/{{ref}}/links/{{record}}"): lambda s: {},
    ("POST", f"{API}/cases/{{ref}}/notes"): lambda s: {"json": {"body": "Seen again."}},
    ("POST", f"{API}/cases/{{ref}}/messages"): lambda s: {"json": {"body": "Any news?"}},
    ("POST", f"{API}/indicators/values"): lambda s: {"json": {"indicator": "drug_cases", "area": "TH", "period": "2024",
                                                              "value": 1, "source": "test"}},
    ("POST", f"{API}/indicators/imports"): lambda s: {"files": {"file": ("i.csv", b"indicator,area\n", "text/csv")}},
    ("POST", f"{API}/signals/publish"): lambda s: {"json": {"date_from": "2025-01-01", "date_to": "2025-06-30",
                                                            "signal": "0" * 16, "mechanism": "MEK"}},
    ("POST", f"{API}/network/money"): lambda s: {"json": {"flows": "country"}},
    ("POST", PI): lambda s: {"json": {"kind": "suspicious_order", "country": "TH", "summary": "Order",
                                      "chemicals": [{"substance": "acetic_anhydride", "quantity": 1}]}},
    ("PUT", f"{PI}/{{ref}}/distribution"): lambda s: {"json": {"distribution": "all", "reason": "wider"}},
    ("POST", PN): lambda s: {"json": _pen_body()},
    ("POST", f"{PN}/{{ref}}/answer"): lambda s: {"json": {"version": 1, "answer": "no_objection"}},
    ("POST", f"{PN}/{{ref}}/information"): lambda s: {"json": {"version": 1, "information": "Invoice attached."}},
    ("POST", f"{PN}/{{ref}}/shipment"): lambda s: {"json": {"version": 1, "shipped": True, "shipped_on": TODAY}},
    ("POST", f"{PN}/{{ref}}/arrival"): lambda s: {"json": {"version": 1, "arrived_on": TODAY}},
    ("POST", f"{PN}/{{ref}}/withdrawal"): lambda s: {"json": {"version": 1, "reason": "cancelled"}},
    ("PUT", f"{PN}/{{ref}}/distribution"): lambda s: {"json": {"version": 1, "distribution": "all"}},
    ("POST", f"{PN}/{{ref}}/flags"): lambda s: {},
    ("PUT", f"{API}/precursors/authorities/{{country}}"): lambda s: {"json": {"agency": Rel.OWNER.code}},
    ("PUT", f"{API}/precursors/rules/{{rule}}"): lambda s: {"json": {"enabled": False}},
    ("PUT", f"{API}/precursors/requirements"): lambda s: {"json": {
        "country": "TH", "substance": "ephedrine", "year": 2026, "quantity": 100, "unit": "kg", "source": "test"}},
    ("POST", f"{API}/scheduling/statuses"): lambda s: {"json": {
        "substance": "ephedrine", "jurisdiction": "TH", "schedule": "Category 1", "in_force": TODAY}},
    ("POST", f"{API}/scheduling/imports"): lambda s: {"files": {"file": ("c.csv", b"substance,jurisdiction\n",
                                                                     "text/csv")}},
}


def _pen_body(**extra: Any) -> dict[str, Any]:
    """A notification from OWN (Thailand) to NAMED's Laos, through MEMBER's Myanmar."""
    return {"importing_country": PEN_COUNTRIES[Rel.NAMED], "exporter": "Siam Example Solvents Co. (fictitious)",
            "importer": "Vientiane Example Trading (fictitious)", "substance": "acetic_anhydride",
            "quantity": 1000, "unit": "kg", "ship_date": "2026-06-20",
            "route": [{"country": PEN_COUNTRIES[Rel.MEMBER], "place": "Tachileik", "mode": "road"}], **extra}


def _sample_url(scene: Scene, path: str) -> str:
    rec = scene.records["agencies/nopd"]
    owner_reader = scene.user(Rel.OWNER, "reader")
    return (path.replace("{ref}", scene.onward[0].uuid if "onward-requests/{ref}" in path else rec.uuid)
            .replace("{att_ref}", rec.att_uuid).replace("{code}", "MEK")
            .replace("{agency}", Rel.NAMED.code).replace("{record}", rec.uuid)
            .replace("{country}", "TH").replace("{rule}", "free_trade_zone")
            .replace("{username}", owner_reader.username)
            .replace("{token_uuid}", scene.spare_tokens[owner_reader.username]))


def test_anonymous_gets_401_everywhere_but_the_public_routes(scene: Scene) -> None:
    failures = Failures()
    cases: list[Case] = []
    logins: list[Case] = []
    for (method, path), policy in POLICY.items():
        body = SAMPLE_BODY.get((method, path), _no_body)(scene)
        url = _sample_url(scene, path)
        if policy.kind is Kind.PUBLIC:
            check = expect(200)
        else:
            check = expect(401, code="authentication_required",
                           then=lambda a: None if a.headers.get("www-authenticate") == "Bearer"
                           else "no WWW-Authenticate: Bearer")
        for bearer, tag in ((None, "anonymous"), ("idt_" + "x" * 43, "unknown token"), ("nonsense", "garbage")):
            case = Case(f"{policy.kind} {tag}", method, url, None, check, bearer=bearer, **body)
            (logins if path.endswith("/auth/login") else cases).append(case)
    run(scene, cases, failures)
    # One at a time: concurrent first sign-ins of one username race on the login throttle row.
    run(scene, logins, failures, concurrency=1)
    failures.check()


# ---------------------------------------------------------------------------------------------------
# Record routes: route x role x relation x record x id form
# ---------------------------------------------------------------------------------------------------
RECORD_ROUTES = routes_of(Kind.RECORD_READ, Kind.RECORD_OWNER, Kind.RECORD_ONWARD)
SEIZURE_ROUTES = routes_of(Kind.SEIZURE_READ, Kind.SEIZURE_OWNER)
ENTITY_ROUTES = routes_of(Kind.ENTITY_READ, Kind.ENTITY_OWNER)
ATT_ROUTE = ("GET", f"{R}/{{ref}}/attachments/{{att_ref}}")


@dataclass(frozen=True)
class Probe:
    """How to call a write route: ``probe`` passes authorization and is then refused without changing
    anything (``status`` with errors on ``fields``); ``denied`` is a real write, sent where the caller must
    be refused."""

    probe: Callable[[Rec], dict[str, Any]]
    status: int
    fields: set[str]
    denied: Callable[[Rec], dict[str, Any]]


WRITE_PROBES: dict[tuple[str, str], Probe] = {
    ("PATCH", f"{R}/{{ref}}"): Probe(
        lambda r: {"json": {"version": 999_999, "title": "probe"}}, 409, {"version"},
        lambda r: {"json": {"version": 1, "title": "HIJACKED title"}}),
    ("PUT", f"{R}/{{ref}}/distribution"): Probe(
        lambda r: {"json": {"distribution": "agencies", "agencies": [NOPE_AGENCY], "reason": "probe"}}, 422,
        {"agencies"},
        lambda r: {"json": {"distribution": "all", "reason": "HIJACKED"}}),
    ("POST", f"{R}/{{ref}}/attachments"): Probe(
        lambda r: {"files": _file("empty.txt", b"")}, 422, {"file"},
        lambda r: {"files": _file("hijack.txt", b"HIJACKED attachment")}),
    ("POST", f"{R}/{{ref}}/onward-requests"): Probe(
        lambda r: {"json": {"add_agencies": [NOPE_AGENCY], "reason": "probe"}}, 422, {"add_agencies"},
        lambda r: {"json": {"add_agencies": [Rel.OUTSIDER_PD.code], "reason": "HIJACKED"}}),
}

# Id forms for {ref}. "same" answers like the canonical uuid; the others must answer like a missing id.
ID_FORMS: dict[str, Callable[[Rec], str]] = {
    "uuid": lambda r: r.uuid,
    "upper-case uuid": lambda r: r.uuid.upper(),
    "integer key": lambda r: str(r.pk),
    "uuid without hyphens": lambda r: r.uuid.replace("-", ""),
    "child id (its attachment's uuid)": lambda r: r.att_uuid,
}
SAME_AS_UUID = {"uuid", "upper-case uuid"}
MISSING_FORM: dict[str, Callable[[str], str]] = {  # a never-existing id of the same form
    "uuid": lambda u: u,
    "upper-case uuid": lambda u: u.upper(),
    "integer key": lambda u: "987654321",
    "uuid without hyphens": lambda u: u.replace("-", ""),
    "child id (its attachment's uuid)": lambda u: u,
}


def _record_url(path: str, ref: str, att: str) -> str:
    return path.replace("{ref}", ref).replace("{att_ref}", att)


def _record_ok(scene: Scene, route: tuple[str, str], rec: Rec, rel: Rel) -> Check:
    """What an allowed call must answer with."""
    method, path = route
    if method != "GET":
        probe = WRITE_PROBES[route]
        return expect(probe.status, fields=probe.fields)
    if route == ATT_ROUTE:
        return expect(200, then=lambda a: None if a.content == rec.att_content else "wrong attachment content")
    if path.endswith("/access-log"):
        return expect(200, then=lambda a: None if all(i["agency"] != Rel.OWNER.code for i in a.json()["items"])
                      else "the owner's own reads are listed")
    if path == f"{R}/{{ref}}":
        return expect(200, then=lambda a: _report_ok(a.json(), rec, rel))
    return expect(200)  # a new record-read route: authorization only


def _report_ok(j: dict[str, Any], rec: Rec, rel: Rel) -> str | None:
    if (j["uuid"], j["title"], j["body"]) != (rec.uuid, rec.title, rec.body):
        return "not the record asked for"
    sharing = j["sharing"]
    if (sharing["owner_agency"], sharing["distribution"]) != (rec.owner.code, rec.distribution):
        return "wrong owner or distribution"
    if rel is rec.owner:
        if (sharing["agencies"], sharing["mechanisms"]) != (rec.agencies, rec.mechanisms):
            return "the owner does not see its targets"
    else:  # recipients see only the targets that include them: no roster leaks through a record
        if not set(sharing["agencies"]) <= {rel.code} or not set(sharing["mechanisms"]) <= CURRENT_MECHANISMS[rel]:
            return f"recipient sees other targets {sharing['agencies']} {sharing['mechanisms']}"
    if [a["uuid"] for a in j["attachments"]] != [rec.att_uuid]:
        return "wrong attachments"
    return None


def _owner_snapshot(scene: Scene, failures: Failures) -> list[Any]:
    recs = [*scene.matrix, scene.records["own/no-onward"], scene.records["scratch"]]
    cases = [Case(f"owner view of {r.key}", "GET", f"{R}/{r.uuid}", scene.author, expect(200)) for r in recs]
    cases += [Case(f"onward request {o.key}", "GET", f"{API}/onward-requests/{o.uuid}", scene.author, expect(200))
              for o in scene.onward]
    cases.append(Case("onward requests", "GET", f"{API}/onward-requests?limit=200", scene.author, expect(200)))
    return [a.json() if a.status == 200 else a.status for a in run(scene, cases, failures)]


Missing = dict[tuple[tuple[str, str], str], tuple[Answer, list[str]]]


def _record_case(scene: Scene, route: tuple[str, str], rec: Rec, rel: Rel, role: str, form: str,
                 missing: Missing) -> Case:
    method, path = route
    kind = POLICY[route].kind
    outcome = record_route_outcome(kind, role, rel in rec.seen_by, rel is rec.owner)
    probe = WRITE_PROBES.get(route)
    ref = ID_FORMS[form](rec)
    body = probe.denied(rec) if probe else {}  # a real write wherever the caller must be refused
    if form in SAME_AS_UUID and outcome is ALLOWED:
        body = probe.probe(rec) if probe else {}
        check = _record_ok(scene, route, rec, rel)
    elif form in SAME_AS_UUID and outcome is OWNER_REFUSED:
        check = expect(422, code="invalid_input", fields=set())
    elif form in SAME_AS_UUID and outcome == 403:
        check = expect(403, code="forbidden")
    else:  # invisible, or an id form that names no record: exactly like a never-existing id
        reference, ref_ids = missing[(route, form)]
        check = like(reference, ref_ids, [ref, rec.att_uuid])
    echo = (ref, rec.att_uuid) if "{att_ref}" in path else (ref,)  # the ids in the url
    return Case(f"{kind} {rec.key} {rel.code} {form}", method, _record_url(path, ref, rec.att_uuid),
                scene.user(rel, role), check, echo=echo, **body)


def _roles(sees_it: bool, turn: int) -> Sequence[str]:
    """Every role where the caller's agency sees the record. Where it does not, the answer is the same
    404 whatever the role: the platform admin (the likeliest bypass) and one other role, rotating, so
    every role meets every route many times (all of them with INTERDICT_AUTHZ_FULL=1)."""
    if FULL or sees_it:
        return ROLES
    return ("platform_admin", [r for r in ROLES if r != "platform_admin"][turn % (len(ROLES) - 1)])


def _foreign_attachment(scene: Scene, rec: Rec, other: Rec, rel: Rel, role: str, missing: Missing,
                        missing_att: tuple[Answer, list[str]]) -> Case:
    """Another record's attachment asked for under ``rec``: never found, like a missing attachment where
    ``rec`` is visible and like a missing record where it is not."""
    if rel in rec.seen_by:
        reference, ref_ids = missing_att
    else:
        reference, ref_ids = missing[(ATT_ROUTE, "uuid")]
    return Case(f"attachment of {other.key} under {rec.key} {rel.code}", "GET",
                _record_url(ATT_ROUTE[1], rec.uuid, other.att_uuid), scene.user(rel, role),
                like(reference, ref_ids, [rec.uuid, other.att_uuid]), echo=(rec.uuid, other.att_uuid))


def test_record_routes_every_role_relation_distribution_and_id_form(scene: Scene) -> None:
    """Every record route x relation x record (distribution x personal data) by its uuid, with every role
    where the record is visible (see ``_roles`` for the others); the other id forms for every route x
    record, asked by the owner and by one other relation (rotating), roles rotating; and another record's
    attachment under each record."""
    failures = Failures()
    before = _owner_snapshot(scene, failures)
    fixed = scene.user(Rel.OUTSIDER, "reader")
    # Answers for never-existing ids, per route and id form (and a missing attachment under a seen parent).
    refs: list[tuple[tuple[str, str], str, list[str]]] = []
    reference_cases = []
    for route in RECORD_ROUTES:
        method, path = route
        body = WRITE_PROBES[route].denied(scene.matrix[0]) if route in WRITE_PROBES else {}
        for form, make in MISSING_FORM.items():
            ids = [make(str(uuid.uuid4())), str(uuid.uuid4())]
            refs.append((route, form, ids))
            reference_cases.append(Case(f"missing ({form})", method, _record_url(path, *ids), fixed,
                                        expect(404), **body))
    seen_parent, missing_att = scene.records["all/nopd"], str(uuid.uuid4())
    reference_cases.append(Case("missing attachment", "GET", _record_url(ATT_ROUTE[1], seen_parent.uuid, missing_att),
                                fixed, expect(404)))
    answers = run(scene, reference_cases, failures)
    missing: Missing = {(route, form): (a, ids) for (route, form, ids), a in zip(refs, answers, strict=False)}
    missing_att_answer = answers[-1]

    others = [rel for rel in Rel if rel is not Rel.OWNER]
    forms = [f for f in ID_FORMS if f != "uuid"]
    cases: list[Case] = []
    for r_i, route in enumerate(RECORD_ROUTES):
        for rec_i, rec in enumerate(scene.matrix):
            other = scene.matrix[(rec_i + 1) % len(scene.matrix)]  # its attachment goes under this record
            for rel_i, rel in enumerate(Rel):
                turn = r_i + rec_i + rel_i
                for role in _roles(rel in rec.seen_by, turn):
                    cases.append(_record_case(scene, route, rec, rel, role, "uuid", missing))
                if route == ATT_ROUTE:
                    for role in ROLES if FULL else [ROLES[turn % len(ROLES)]]:
                        cases.append(_foreign_attachment(scene, rec, other, rel, role, missing,
                                                         (missing_att_answer, [seen_parent.uuid, missing_att])))
            for f_i, form in enumerate(forms):
                turn = r_i + rec_i + f_i
                if FULL:
                    cases += [_record_case(scene, route, rec, rel, role, form, missing) for rel in Rel for role in ROLES]
                    continue
                cases.append(_record_case(scene, route, rec, Rel.OWNER, ROLES[turn % len(ROLES)], form, missing))
                cases.append(_record_case(scene, route, rec, others[turn % len(others)],
                                          ROLES[(turn + 3) % len(ROLES)], form, missing))
    run(scene, cases, failures)
    after = _owner_snapshot(scene, failures)
    for b, a in zip(before, after, strict=True):
        if a != b:
            failures.append(f"a refused or probing write changed something:\n before {b}\n after  {a}")
    failures.check()


# ---------------------------------------------------------------------------------------------------
# Collections: list, count, export
# ---------------------------------------------------------------------------------------------------
def collection_cases(scene: Scene) -> list[Case]:
    """List, count and export (JSON lines) for every user; CSV and the filters for one role per relation
    (rotating) and the author."""
    cases = []
    for who in scene.everyone:
        rel = scene.rel_of[who.username]
        seen = scene.visible(rel)
        recs = [r for r in scene.records.values() if rel in r.seen_by]
        withheld = {r.uuid for r in recs if r.no_onward and r.owner is not rel}
        own = {r.uuid for r in recs if r.owner is Rel.OWNER}
        mech = {r.uuid for r in recs if r.distribution == "mechanisms"}

        def items(want: set[str], total: int | None = None) -> Check:
            def check(a: Answer) -> str | None:
                j = a.json()
                if total is not None and j["total"] != total:
                    return f"total {j['total']} != {total}"
                return same_set("items", [i["uuid"] for i in j["items"]], want)

            return expect(200, then=check)

        def exported(want: set[str], parse: Callable[[Answer], list[str]], held: int) -> Check:
            def check(a: Answer) -> str | None:
                if a.headers.get("x-interdict-withheld") != str(held):
                    return f"withheld header {a.headers.get('x-interdict-withheld')} != {held}"
                return same_set("exported", parse(a), want)

            return expect(200, then=check)

        cases += [
            Case("list", "GET", f"{R}?limit=200", who, items(seen)),
            Case("count", "GET", f"{R}/count", who,
                 expect(200, then=field_is("count", len(seen)))),
            Case("export jsonl", "GET", f"{R}/export?format=jsonl", who,
                 exported(seen - withheld, _jsonl_uuids, len(withheld))),
        ]
        if who is scene.author or who.roles[0] == ROLES[list(Rel).index(rel) % len(ROLES)]:
            cases += [
                Case("export csv", "GET", f"{R}/export?format=csv", who,
                     exported(seen - withheld, _csv_uuids, len(withheld))),
                Case("list q", "GET", f"{R}?limit=200&q=Bokeo", who, items(seen)),
                Case("list owner", "GET", f"{R}?limit=200&owner={Rel.OWNER.code}&with_total=true", who,
                     items(own, len(own))),
                Case("list distribution", "GET", f"{R}?limit=200&distribution=mechanisms", who, items(mech)),
            ]
    return cases


def test_collections_hold_exactly_the_visible_records(scene: Scene) -> None:
    failures = Failures()
    run(scene, collection_cases(scene), failures)
    failures.check()


# ---------------------------------------------------------------------------------------------------
# Onward-sharing requests
# ---------------------------------------------------------------------------------------------------
def _onward_parties(scene: Scene, o: Onward) -> set[Rel]:
    """The owner agency, and the requester while it may still see the record (the request names it)."""
    parties = {scene.records[o.record].owner}
    if o.requester in scene.records[o.record].seen_by:
        parties.add(o.requester)
    return parties


ONWARD_FORMS: dict[str, Callable[[Onward, Scene], str]] = {
    "uuid": lambda o, s: o.uuid,
    "upper-case uuid": lambda o, s: o.uuid.upper(),
    "integer key": lambda o, s: str(o.pk),
    "uuid without hyphens": lambda o, s: o.uuid.replace("-", ""),
    "its record's uuid": lambda o, s: s.records[o.record].uuid,
}


def test_onward_requests_every_role_relation_and_id_form(scene: Scene) -> None:
    failures = Failures()
    fixed = scene.user(Rel.OUTSIDER, "reader")
    decision = f"{API}/onward-requests/{{ref}}/decision"
    probe = {"approve": True, "distribution": "agencies", "agencies": [NOPE_AGENCY]}
    denied = {"approve": False, "note": "HIJACKED"}
    refs = {form: MISSING_FORM.get(form, _same)(str(uuid.uuid4())) for form in ONWARD_FORMS}
    reference_cases = [Case(f"missing {form}", "GET", f"{API}/onward-requests/{ref}", fixed, expect(404))
                       for form, ref in refs.items()]
    reference_cases += [Case(f"missing {form}", "POST", decision.replace("{ref}", ref), fixed, expect(404),
                             json=denied) for form, ref in refs.items()]
    answers = run(scene, reference_cases, failures)
    n = len(refs)
    missing_get = dict(zip(refs, answers[:n], strict=True))
    missing_decide = dict(zip(refs, answers[n:], strict=True))

    cases = []
    for who in scene.everyone:
        rel = scene.rel_of[who.username]
        mine = {o.uuid for o in scene.onward if rel in _onward_parties(scene, o)}
        cases.append(Case("onward list", "GET", f"{API}/onward-requests?limit=200", who,
                          expect(200, then=listing("requests", lambda j: [i["uuid"] for i in j["items"]], mine))))
    for o_i, o in enumerate(scene.onward):
        parties = _onward_parties(scene, o)
        for p_i, who in enumerate(scene.everyone):
            rel = scene.rel_of[who.username]
            role = who.roles[0]
            is_author = who is scene.author
            if role not in _roles(rel in parties, o_i + list(Rel).index(rel)):
                continue
            for f_i, (form, make) in enumerate(ONWARD_FORMS.items()):
                if form != "uuid" and not FULL and (o_i + p_i + f_i) % len(ROLES) != 0:
                    continue
                ref = make(o, scene)
                echo = (ref,)
                if form in SAME_AS_UUID and rel in parties:
                    get_check = expect(200, then=field_is("uuid", o.uuid))
                    if rel is not Rel.OWNER:
                        body, d_check = denied, expect(403, code="forbidden")
                    elif ROLE_CAN[role].decide or is_author:
                        body, d_check = probe, expect(422, fields={"agencies"})
                    else:
                        body, d_check = denied, expect(403, code="forbidden")
                else:
                    get_check = like(missing_get[form], [refs[form]], [ref])
                    body, d_check = denied, like(missing_decide[form], [refs[form]], [ref])
                label = f"onward {o.key} {rel.code} {form}"
                cases.append(Case(label, "GET", f"{API}/onward-requests/{ref}", who, get_check, echo=echo))
                cases.append(Case(label, "POST", decision.replace("{ref}", ref), who, d_check, json=body, echo=echo))
    run(scene, cases, failures)
    still = [Case(f"{o.key} still pending", "GET", f"{API}/onward-requests/{o.uuid}", scene.author,
                  expect(200, then=lambda a: None if a.json()["status"] == "pending" else "decided by a refused call"))
             for o in scene.onward]
    run(scene, still, failures)
    failures.check()


# ---------------------------------------------------------------------------------------------------
# Mechanisms, their rosters, agreements; naming a mechanism in a distribution
# ---------------------------------------------------------------------------------------------------
def _as_list(roster: Callable[[Answer, set[str]], str | None], code: str) -> Callable[[Answer], str | None]:
    """Check one mechanism's answer as the list answer holding just it."""

    def check(a: Answer) -> str | None:
        return roster(Answer(a.status, a.headers, json.dumps([a.json()]).encode()), {code})

    return check


def test_rosters_and_agreements_only_for_members(scene: Scene) -> None:
    failures = Failures()
    fixed = scene.user(Rel.OUTSIDER, "reader")
    bogus = {"title": "probe", "distribution": "mechanisms", "mechanisms": ["NOPE-MECH"],
             "handling_conditions": ["bogus-condition"]}
    writer = scene.user(Rel.OUTSIDER, "analyst")
    ref_get, ref_create = run(scene, [
        Case("missing mechanism", "GET", f"{API}/mechanisms/NOPE-MECH", fixed, expect(404)),
        Case("create naming a missing mechanism", "POST", R, writer,
             expect(422, fields={"mechanisms", "handling_conditions"}), json=bogus),
    ], failures)
    ever = {code: {rel.code for rel, _, _ in members} for code, members in MECHANISMS.items()}
    all_titles = {a.title for a in AGREEMENTS}
    cases = []
    for (rel, role), who in scene.users.items():
        admin = ROLE_CAN[role].structure
        mine = set(MECHANISMS) if admin else CURRENT_MECHANISMS[rel]

        def roster(a: Answer, mine: set[str] = mine, admin: bool = admin) -> str | None:
            got = {m["code"]: {x["agency"] for x in m["members"]} for m in a.json()}
            problem = same_set("mechanisms", got, mine)
            for code, members in got.items():
                want = ever[code] if admin else {r.code for r in CURRENT_ROSTER[code]}
                problem = problem or same_set(f"roster of {code}", members, want)
            return problem

        cases.append(Case("mechanisms", "GET", f"{API}/mechanisms", who, expect(200, then=roster)))
        rotating = ROLES[list(Rel).index(rel) % len(ROLES)]  # one role per relation asks by code
        for code in MECHANISMS if admin or role == rotating else ():
            check = expect(200, then=_as_list(roster, code)) if code in mine else like(ref_get, ["NOPE-MECH"], [code])
            cases.append(Case(f"mechanism {code}", "GET", f"{API}/mechanisms/{code}", who, check))
        cases.append(Case("agreements", "GET", f"{API}/agreements", who, expect(
            200, then=listing("agreements", lambda j: [x["title"] for x in j],
                              all_titles if admin else AGREEMENTS_SEEN[rel]))))
        naming = ROLES[1 + list(Rel).index(rel) % 4]  # one writer role per relation names every code
        for code in [*MECHANISMS, "NOPE-MECH"] if role == naming else ["MEK"]:
            body = dict(bogus, mechanisms=[code])
            if not ROLE_CAN[role].write:
                check = expect(403, code="forbidden")
            elif code in CURRENT_MECHANISMS[rel]:
                check = expect(422, fields={"handling_conditions"})
            else:  # not a member, or no such mechanism: the same words
                check = like(ref_create, ["NOPE-MECH"], [code])
            cases.append(Case(f"create naming mechanism {code}", "POST", R, who, check, json=body))
    run(scene, cases, failures)
    failures.check()


# ---------------------------------------------------------------------------------------------------
# Structure administration
# ---------------------------------------------------------------------------------------------------
def test_structure_admin_routes(scene: Scene) -> None:
    failures = Failures()
    cases = []
    for (rel, role), who in scene.users.items():
        if rel not in (Rel.OWNER, Rel.OUTSIDER):
            continue
        can = ROLE_CAN[role]
        other = Rel.OUTSIDER if rel is Rel.OWNER else Rel.OWNER

        def admin_or(status: int, can: Can = can) -> Check:
            return expect(status) if can.structure else expect(403, code="forbidden")

        cases += [
            Case("agencies", "GET", f"{API}/agencies", who, expect(200, then=lambda a: None if {
                r.code for r in Rel} <= {x["code"] for x in a.json()} else "agencies missing")),
            Case("agency", "GET", f"{API}/agencies/{other.code}", who, expect(200)),
            Case("missing agency", "GET", f"{API}/agencies/NOPE-AG", who, expect(404)),
            Case("create agency (taken code)", "POST", f"{API}/agencies", who, admin_or(409),
                 json={"code": rel.code, "name_en": "x", "country": "TH", "kind": "police"}),
            # A watch list: platform admins pass and are refused the empty file; nobody else passes.
            Case("import watch list (empty)", "POST", f"{API}/watchlists/imports", who,
                 expect(422, fields={"file"}) if can.structure else expect(403, code="forbidden"),
                 files={"file": ("empty.csv", b"", "text/csv")}),
            Case("watch lists", "GET", f"{API}/watchlists", who, expect(200)),
            Case("watch-list alerts", "GET", f"{API}/watchlists/alerts", who, expect(200)),
            Case("own agency mfa_required", "PATCH", f"{API}/agencies/{rel.code}", who,
                 expect(200) if can.structure or can.users else expect(403, code="forbidden"),
                 json={"mfa_required": False}),
            Case("own agency name", "PATCH", f"{API}/agencies/{rel.code}", who, admin_or(200),
                 json={"name_en": f"Agency {rel.code}"}),
            Case("other agency mfa_required", "PATCH", f"{API}/agencies/{other.code}", who, admin_or(200),
                 json={"mfa_required": False}),
            Case("create mechanism (taken code)", "POST", f"{API}/mechanisms", who, admin_or(409),
                 json={"code": "MEK", "name_en": "x", "kind": "multilateral"}),
            Case("leave, not a member", "POST", f"{API}/mechanisms/MEK/members/leave", who, admin_or(422),
                 json={"agency": Rel.OUTSIDER.code, "date": TODAY}),
            Case("agreement for a missing mechanism", "POST", f"{API}/agreements", who, admin_or(422),
                 json={"title": "probe", "kind": "mechanism", "mechanism": "NOPE-MECH", "valid_from": TODAY}),
        ]
        # Joining: the same refusal whether the mechanism is the caller's, another's, or none at all.
        for code in ("MEK", "QUE", "NOPE-MECH"):
            want = (409 if code == "MEK" else 404 if code == "NOPE-MECH" else 409) if can.structure else 403
            member = Rel.OWNER.code if code == "MEK" else Rel.OUTSIDER.code
            cases.append(Case(f"join {code}", "POST", f"{API}/mechanisms/{code}/members", who,
                              expect(want), json={"agency": member, "date": TODAY}))
    answers = run(scene, cases, failures)
    refusals = {(c.who.username if c.who else "", c.url): a.problem.get("detail") for c, a in zip(cases, answers, strict=True)
                if c.label.startswith("join") and a.status == 403}
    by_user: dict[str, set[Any]] = {}
    for (user, _), detail in refusals.items():
        by_user.setdefault(user, set()).add(detail)
    failures += [f"join refusals differ by mechanism for {u}: {d}" for u, d in by_user.items() if len(d) > 1]
    failures.check()


# ---------------------------------------------------------------------------------------------------
# Users and tokens
# ---------------------------------------------------------------------------------------------------
def test_user_admin_and_token_routes(scene: Scene) -> None:
    failures = Failures()
    fixed = scene.user(Rel.OUTSIDER, "reader")
    ghost, ghost_token = "nobody.here", str(uuid.uuid4())
    ref_user, ref_patch, ref_reset, ref_token, ref_delete = run(scene, [
        Case("missing user", "GET", f"{API}/users/{ghost}", fixed, expect(404)),
        Case("missing user", "PATCH", f"{API}/users/{ghost}", fixed, expect(404), json={"disabled": False}),
        Case("missing user", "POST", f"{API}/users/{ghost}/mfa-reset", fixed, expect(404)),
        Case("token for a missing user", "POST", f"{API}/tokens", fixed, expect(404), json={"user": ghost}),
        Case("missing token", "DELETE", f"{API}/tokens/{ghost_token}", fixed, expect(404)),
    ], failures)
    usernames = {p.username: p for p in [*scene.everyone, scene.login]}
    cases: list[Case] = []
    allowed_deletes: list[Case] = []
    for (rel, role), who in scene.users.items():
        if rel not in (Rel.OWNER, Rel.OUTSIDER):
            continue
        can = ROLE_CAN[role]
        other = Rel.OUTSIDER if rel is Rel.OWNER else Rel.OWNER
        colleague = scene.user(rel, "analyst" if role == "reader" else "reader")
        targets = {"self": who, "colleague": colleague, "foreign": scene.user(other, "reader"),
                   "colleague platform admin": scene.user(rel, "platform_admin")}
        for tag, t in targets.items():
            same = t.agency == who.agency
            t_admin = "platform_admin" in t.roles
            visible = can.structure or t is who or (can.users and same)
            manage = can.users and same and not (t_admin and not can.structure)
            disable = (can.structure or (can.users and same)) and not (t_admin and not can.structure)
            url = f"{API}/users/{t.username}"
            echo = (t.username,)
            if visible:
                cases += [
                    Case(f"user {tag}", "GET", url, who, expect(200)),
                    Case(f"enable {tag}", "PATCH", url, who, expect(200 if disable else 403), json={"disabled": False}),
                    Case(f"mfa-reset {tag}", "POST", f"{url}/mfa-reset", who, expect(200 if manage else 403)),
                    Case(f"password-reset {tag}", "POST", f"{url}/password-reset", who,
                         expect(200 if manage else 403)),
                    Case(f"token for {tag}", "POST", f"{API}/tokens", who,
                         expect(201 if manage or t is who else 403), json={"user": t.username}),
                ]
            else:
                cases += [
                    Case(f"user {tag}", "GET", url, who, like(ref_user, [ghost], [t.username]), echo=echo),
                    Case(f"enable {tag}", "PATCH", url, who, like(ref_patch, [ghost], [t.username]),
                         json={"disabled": False}, echo=echo),
                    Case(f"mfa-reset {tag}", "POST", f"{url}/mfa-reset", who, like(ref_reset, [ghost], [t.username]),
                         echo=echo),
                    Case(f"password-reset {tag}", "POST", f"{url}/password-reset", who,
                         like(ref_reset, [ghost], [t.username]), echo=echo),
                    Case(f"token for {tag}", "POST", f"{API}/tokens", who, like(ref_token, [ghost], [t.username]),
                         json={"user": t.username}, echo=echo),
                ]
            spare = scene.spare_tokens[t.username]
            delete = Case(f"revoke spare token of {tag}", "DELETE", f"{API}/tokens/{spare}", who, expect(200))
            if t is who or (can.users and same):
                allowed_deletes.append(delete)
            else:
                cases.append(Case(delete.label, "DELETE", delete.url, who, like(ref_delete, [ghost_token], [spare])))
        own_users = {u for u, p in usernames.items() if p.agency == who.agency}
        if can.structure:  # every user, of every agency (there may be more than this world's)
            listed = listing("users missing", lambda j: set(usernames) - {u["username"] for u in j}, set())
        else:
            listed = listing("users", lambda j: [u["username"] for u in j], own_users if can.users else {who.username})
        cases += [
            Case("users", "GET", f"{API}/users", who, expect(200, then=listed)),
            Case("create user (taken name)", "POST", f"{API}/users", who, expect(409 if can.users else 403),
                 json={"username": colleague.username, "agency": rel.code, "roles": ["reader"]}),
            Case("create user in another agency", "POST", f"{API}/users", who, expect(403),
                 json={"username": f"new.{secrets.token_hex(3)}", "agency": other.code, "roles": ["reader"]}),
            Case("create a platform admin", "POST", f"{API}/users", who, expect(403),
                 json={"username": f"new.{secrets.token_hex(3)}", "agency": rel.code, "roles": ["platform_admin"]}),
            Case("tokens", "GET", f"{API}/tokens", who, expect(200, then=listing(
                "tokens' users", lambda j: [t["user"] for t in j], own_users if can.users else {who.username},
                subset=True))),
            Case("own token", "POST", f"{API}/tokens", who, expect(201), json={"name": "mine"}),
        ]
    run(scene, cases, failures)
    with scene.platform.db.unit() as s:
        revoked = set(s.scalars(select(ApiToken.uuid).where(ApiToken.uuid.in_(list(scene.spare_tokens.values())),
                                                            ApiToken.revoked_at.is_not(None))))
    failures += [f"refused DELETE revoked token {u}" for u in sorted(revoked)]
    run(scene, allowed_deletes, failures)
    failures.check()


# ---------------------------------------------------------------------------------------------------
# Audit
# ---------------------------------------------------------------------------------------------------
def test_audit_routes(scene: Scene) -> None:
    failures = Failures()
    cases: list[Case] = []
    verify: list[Case] = []
    for who in scene.everyone:
        rel = scene.rel_of[who.username]
        can = ROLE_CAN[who.roles[0]]

        def scoped(a: Answer, own: str = rel.code, structure: bool = can.structure) -> str | None:
            for e in a.json()["items"]:
                if not (e["actor_agency"] == own or e["object_owner"] == own
                        or (structure and e["object_type"] in STRUCTURE_TYPES)):
                    return f"entry of another agency: {e}"
                if e["actor_agency"] != own and (e["actor_user"] or e["source_ip"] or e["detail"] != "{}"):
                    return f"another agency's user shown: {e}"
            return None

        queries = ("limit=200", "limit=200&action=record.read", "limit=200&action=onward.request",
                   "limit=200&action=attachment.add") if can.audit else ("limit=200",)
        for query in queries:
            check = expect(200, then=scoped) if can.audit else expect(403, code="forbidden")
            cases.append(Case(f"audit {query}", "GET", f"{API}/audit?{query}", who, check, audit_echo=True))
        verify.append(Case("verify", "GET", f"{API}/audit/verify", who,
                           expect(200, then=lambda a: None if a.json()["ok"] else "chain broken")
                           if can.structure else expect(403, code="forbidden")))
    run(scene, cases, failures)
    # Alone: verification walks the chain in several statements and reads the head last, so on PostgreSQL
    # an append committed meanwhile (any refused request appends) reads as a broken chain.
    run(scene, verify, failures, concurrency=1)
    failures.check()


# ---------------------------------------------------------------------------------------------------
# Any signed-in user, about themselves
# ---------------------------------------------------------------------------------------------------
def test_self_routes(scene: Scene) -> None:
    failures = Failures()
    people = [p for (rel, _), p in scene.users.items() if rel in (Rel.OWNER, Rel.OUTSIDER)]

    def me(who: Person) -> Check:
        def check(a: Answer) -> str | None:
            j = a.json()
            if (j["user"]["username"], j["user"]["agency"]) != (who.username, who.agency):
                return "not me"
            return same_set("permissions", j["permissions"], PERMISSIONS[who.roles[0]])

        return expect(200, then=check)

    cases = [Case("me", "GET", f"{API}/auth/me", p, me(p)) for p in people]
    cases += [Case("password, wrong current", "POST", f"{API}/auth/password", p,
                   expect(422, fields={"current_password"}),
                   json={"current_password": "wrong", "new_password": "a long enough new password 1"}) for p in people]
    cases += [Case("enrol", "POST", f"{API}/auth/mfa/enrol", p, expect(200)) for p in people]
    answers = run(scene, cases, failures)
    confirm = []
    for p, a in zip(people, answers[-len(people):], strict=True):
        if a.status != 200:
            continue
        totp = pyotp.TOTP(a.json()["secret"])
        valid = {totp.at(scene.clock.now.timestamp() + d) for d in (-30, 0, 30)}
        wrong = next(c for c in ("000000", "111111", "222222", "333333") if c not in valid)
        confirm.append(Case("confirm, wrong code", "POST", f"{API}/auth/mfa/confirm", p,
                            expect(401, fields={"code"}), json={"code": wrong}))
    confirm += [Case("logout", "POST", f"{API}/auth/logout", p, expect(204)) for p in people]
    run(scene, confirm, failures)
    failures.check()


# ---------------------------------------------------------------------------------------------------
# Allowed writes succeed and take effect (the only test that changes records; it runs last)
# ---------------------------------------------------------------------------------------------------
def test_allowed_writes_succeed_and_take_effect(scene: Scene) -> None:
    failures = Failures()
    s = scene.records["scratch"]
    u = scene.user

    def one(case: Case) -> Answer:
        return run(scene, [case], failures)[0]

    def seen(rec: Rec, rel: Rel, yes: bool) -> None:
        one(Case(f"{rel.code} after the write", "GET", f"{R}/{rec.uuid}", u(rel, "reader"),
                 expect(200) if yes else expect(404), echo=(rec.uuid,)))

    got = one(Case("get", "GET", f"{R}/{s.uuid}", u(Rel.OWNER, "reader"), expect(200)))
    body = f"Seen near Bokeo. {_marker('bdy')}"
    changed = one(Case("edit", "PATCH", f"{R}/{s.uuid}", u(Rel.OWNER, "analyst"), expect(200),
                       json={"version": got.json()["version"], "body": body}))
    if changed.status == 200:
        s.old_markers.append(s.body)
        s.body = body
    seen(s, Rel.NAMED, True)
    one(Case("named sees the edit", "GET", f"{R}/{s.uuid}", u(Rel.NAMED, "reader"),
             expect(200, then=lambda a: None if a.json()["body"] == body else "old body")))

    content = f"{_marker('content')}\n".encode()
    name = f"{_marker('file')}.txt"
    added = one(Case("attach", "POST", f"{R}/{s.uuid}/attachments", u(Rel.OWNER, "supervisor"), expect(201),
                     files=_file(name, content)))
    if added.status == 201:
        s.old_markers += [s.att_uuid, s.att_name, s.att_content.decode().strip()]
        s.att_uuid, s.att_name, s.att_content = added.json()["uuid"], name, content
    one(Case("named reads the new attachment", "GET", f"{R}/{s.uuid}/attachments/{s.att_uuid}",
             u(Rel.NAMED, "reader"), expect(200, then=lambda a: None if a.content == content else "wrong content")))

    moved = one(Case("redistribute", "PUT", f"{R}/{s.uuid}/distribution", u(Rel.OWNER, "liaison_officer"),
                     expect(200), json={"distribution": "mechanisms", "mechanisms": ["MEK"], "reason": "wider"}))
    if moved.status == 200:
        s.distribution, s.agencies, s.mechanisms = "mechanisms", [], ["MEK"]
        s.seen_by = {r for r in Rel if sees(r, "mechanisms", False)}
    for rel in Rel:
        seen(s, rel, rel in s.seen_by)

    asked = one(Case("ask onward", "POST", f"{R}/{s.uuid}/onward-requests", u(Rel.MEMBER_PD, "investigator"),
                     expect(201), json={"add_mechanisms": ["PAX"], "reason": "P works this route"}))
    if asked.status == 201:
        one(Case("approve", "POST", f"{API}/onward-requests/{asked.json()['uuid']}/decision",
                 u(Rel.OWNER, "supervisor"), expect(200), json={"approve": True}))
        s.mechanisms = ["MEK", "PAX"]
    one(Case("owner sees both mechanisms", "GET", f"{R}/{s.uuid}", scene.author,
             expect(200, then=lambda a: None if a.json()["sharing"]["mechanisms"] == ["MEK", "PAX"] else "not added")))

    # The author may decide on its own report's request even without a deciding role: NAMED's request to
    # add OUTSIDER to 'agencies/nopd' is approved, and OUTSIDER sees the report from the next request.
    o = scene.onward[0]
    approved = one(Case("author approves", "POST", f"{API}/onward-requests/{o.uuid}/decision", scene.author,
                        expect(200), json={"approve": True, "note": "agreed"}))
    if approved.status == 200:
        scene.records[o.record].seen_by.add(Rel.OUTSIDER)
        scene.records[o.record].agencies = sorted([*scene.records[o.record].agencies, Rel.OUTSIDER.code])
    seen(scene.records[o.record], Rel.OUTSIDER, True)

    made = one(Case("create", "POST", R, u(Rel.OUTSIDER_PD, "analyst"), expect(201), json={
        "title": f"Report {_marker('ttl')}", "body": f"Seen near Bokeo. {_marker('bdy')}", "distribution": "agencies",
        "agencies": [Rel.OWNER.code], "contains_personal_data": True}))
    if made.status == 201:
        j = made.json()
        scene.records["new"] = Rec("new", Rel.OUTSIDER_PD, "agencies", True, {Rel.OUTSIDER_PD, Rel.OWNER}, j["uuid"],
                                   -1, j["title"], j["body"], agencies=[Rel.OWNER.code])
        seen(scene.records["new"], Rel.OWNER, True)
        seen(scene.records["new"], Rel.NAMED, False)

    # And every user's list, count and export follow.
    run(scene, collection_cases(scene), failures)
    failures.check()


# ---------------------------------------------------------------------------------------------------
# Seizures, statistics and joint operations: the same rule over a second record type
# ---------------------------------------------------------------------------------------------------
SEIZURE_PROBES: dict[tuple[str, str], Probe] = {
    ("PUT", f"{S}/{{ref}}/distribution"): Probe(
        lambda r: {"json": {"distribution": "agencies", "agencies": [NOPE_AGENCY], "reason": "probe"}}, 422,
        {"agencies"},
        lambda r: {"json": {"distribution": "all", "reason": "HIJACKED"}}),
    ("PUT", f"{S}/{{ref}}/operation"): Probe(
        lambda r: {"json": {"operation": None, "version": 999_999}}, 409, {"version"},
        lambda r: {"json": {"operation": "OP-MEK", "version": 1}}),
}


ENTITY_PROBES: dict[tuple[str, str], Probe] = {
    ("PATCH", f"{API}/entities/{{ref}}"): Probe(
        lambda r: {"json": {"properties": {"name": ["Probe"]}, "version": 999_999}}, 409, {"version"},
        lambda r: {"json": {"properties": {"name": ["HIJACKED name"]}, "version": 1}}),
    ("PUT", f"{API}/entities/{{ref}}/distribution"): Probe(
        lambda r: {"json": {"distribution": "agencies", "agencies": [NOPE_AGENCY], "reason": "probe"}}, 422,
        {"agencies"},
        lambda r: {"json": {"distribution": "all", "reason": "HIJACKED"}}),
}


def _twin_routes(scene: Scene, noun: str, twins_of: dict[str, str], base: str,
                 routes: Sequence[tuple[str, str]], probes: dict[tuple[str, str], Probe]) -> None:
    """Each twin x route x relation, with every role where the twin is visible (two rotating roles
    elsewhere); refused and probing writes change nothing."""
    failures = Failures()
    fixed = scene.user(Rel.OUTSIDER, "reader")
    # (Records that later tests add have no twin.)
    twins = [(rec, twins_of[rec.key]) for rec in scene.records.values() if rec.key in twins_of]

    def owner_view() -> list[Any]:
        cases = [Case(f"owner view {r.key}", "GET", f"{base}/{u}", scene.author if r.owner is Rel.OWNER
                      else scene.user(Rel.OUTSIDER, "analyst"), expect(200)) for r, u in twins]
        return [a.json() if a.status == 200 else a.status for a in run(scene, cases, failures)]

    before = owner_view()
    missing: dict[tuple[str, str], tuple[Answer, list[str]]] = {}
    for route in routes:
        method, path = route
        ref = str(uuid.uuid4())
        body = probes[route].denied(scene.matrix[0]) if route in probes else {}
        (answer,) = run(scene, [Case(f"missing {noun}", method, path.replace("{ref}", ref), fixed, expect(404),
                                     **body)], failures)
        missing[route] = (answer, [ref])
    cases = []
    for r_i, route in enumerate(routes):
        method, path = route
        kind = POLICY[route].kind
        probe = probes.get(route)
        for t_i, (rec, ref) in enumerate(twins):
            for rel_i, rel in enumerate(Rel):
                sees_it = rel in scene.twin_seen[rec.key]
                for role in _roles(sees_it, r_i + t_i + rel_i):
                    outcome = record_route_outcome(kind, role, sees_it, rel is rec.owner)
                    body = probe.denied(rec) if probe else {}
                    if outcome is ALLOWED:
                        body = probe.probe(rec) if probe else {}
                        check = (expect(probe.status, fields=probe.fields) if probe else
                                 expect(200, then=lambda a, ref=ref: None if a.json()["uuid"] == ref else f"wrong {noun}"))
                    elif outcome == 403:
                        check = expect(403, code="forbidden")
                    else:
                        reference, ref_ids = missing[route]
                        check = like(reference, ref_ids, [ref])
                    cases.append(Case(f"{kind} {noun} {rec.key} {rel.code} {role}", method,
                                      path.replace("{ref}", ref), scene.user(rel, role), check, echo=(ref,), **body))
    run(scene, cases, failures)
    if owner_view() != before:
        failures.append(f"a refused or probing write changed a {noun}")
    failures.check()


def test_seizure_routes_every_role_relation_and_distribution(scene: Scene) -> None:
    _twin_routes(scene, "seizure", scene.seizures, S, SEIZURE_ROUTES, SEIZURE_PROBES)


def test_entity_routes_every_role_relation_and_distribution(scene: Scene) -> None:
    _twin_routes(scene, "entity", scene.entities, f"{API}/entities", ENTITY_ROUTES, ENTITY_PROBES)


def test_entity_list_and_export_hold_exactly_the_visible(scene: Scene) -> None:
    failures = Failures()
    cases = []
    for who in scene.everyone:
        rel = scene.rel_of[who.username]
        seen = {u for key, u in scene.entities.items() if rel in scene.twin_seen[key]}

        def listed(a: Answer, seen: set[str] = seen) -> str | None:
            return same_set("entities", [i["uuid"] for i in a.json()["items"]], seen)

        def exported(a: Answer, seen: set[str] = seen) -> str | None:
            # An FtM id is the record's uuid here; another agency's carries its code as a prefix.
            ids = [json.loads(line)["id"].rpartition(".")[2] for line in a.content.decode().splitlines()]
            return same_set("exported entities", ids, seen)

        cases += [
            Case("entity list", "GET", f"{API}/entities?schema=Person&limit=200", who, expect(200, then=listed)),
            Case("entity export", "GET", f"{API}/entities/export", who, expect(200, then=exported)),
        ]
    run(scene, cases, failures)
    failures.check()


def test_seizure_collections_and_statistics_hold_exactly_the_visible(scene: Scene) -> None:
    failures = Failures()
    cases = []
    for who in scene.everyone:
        rel = scene.rel_of[who.username]
        seen = {u for key, u in scene.seizures.items() if rel in scene.twin_seen[key]}

        def listed(a: Answer, seen: set[str] = seen) -> str | None:
            return same_set("seizures", [i["uuid"] for i in a.json()["items"]], seen)

        def counted(a: Answer, seen: set[str] = seen) -> str | None:
            j = a.json()
            kg = sum(r["mass_kg"] for r in j["rows"])
            if j["total_seizures"] != len(seen) or abs(kg - 1.5 * len(seen)) > 1e-6:
                return f"statistics count {j['total_seizures']} seizures / {kg} kg, want {len(seen)}"
            return None

        cases += [
            Case("seizure list", "GET", f"{S}?limit=200", who, expect(200, then=listed)),
            Case("seizure stats", "GET", f"{API}/stats/seizures?by=country,year", who, expect(200, then=counted)),
            Case("seizure stats by substance", "GET", f"{API}/stats/seizures?by=substance", who,
                 expect(200, then=counted)),
        ]
    run(scene, cases, failures)
    failures.check()


def test_operations_only_for_participants(scene: Scene) -> None:
    failures = Failures()
    (missing,) = run(scene, [Case("missing op", "GET", f"{API}/operations/NO-SUCH-OP", scene.login, expect(404))],
                     failures)
    cases = []
    for (rel, role), who in scene.users.items():
        part = rel in (Rel.OWNER, Rel.MEMBER)
        for path in (f"{API}/operations/OP-MEK", f"{API}/operations/OP-MEK/results"):
            check = expect(200) if part else like(missing, ["NO-SUCH-OP"], ["OP-MEK"])
            cases.append(Case(f"operation {rel.code} {role}", "GET", path, who, check, echo=("OP-MEK",)))

        def listed(a: Answer, part: bool = part) -> str | None:
            codes = [o["code"] for o in a.json()]
            return None if codes == (["OP-MEK"] if part else []) else f"operations listed: {codes}"

        cases.append(Case(f"operations {rel.code} {role}", "GET", f"{API}/operations", who, expect(200, then=listed)))
        writes = ROLE_CAN[role].write
        body = {"lines": [{"substance": "nonsense-substance-x", "quantity": 1, "unit": "kg"}]}
        if part and writes:
            check = expect(422, code="invalid_input")
        elif part:
            check = expect(403, code="forbidden")
        else:
            check = like(missing, ["NO-SUCH-OP"], ["OP-MEK"])
        cases.append(Case(f"results {rel.code} {role}", "PUT", f"{API}/operations/OP-MEK/results", who, check,
                          json=body, echo=("OP-MEK",)))
    run(scene, cases, failures)
    failures.check()


def test_indicator_routes_every_role_and_relation(scene: Scene) -> None:
    """Published figures: every signed-in user reads them and their history; writer roles enter them."""
    failures = Failures()
    cases = []
    for (rel, role), who in scene.users.items():
        body = {"indicator": "opium_poppy_cultivation", "area": "MM", "period": "2023", "value": 47100,
                "source": f"UNODC, Myanmar Opium Survey 2023 ({rel.code} {role})"}
        writes = ROLE_CAN[role].write
        cases += [
            Case(f"catalogue {rel.code} {role}", "GET", f"{API}/indicators/catalogue", who, expect(200)),
            Case(f"add figure {rel.code} {role}", "POST", f"{API}/indicators/values", who,
                 expect(201) if writes else expect(403, code="forbidden"), json=body),
        ]
    run(scene, cases, failures)
    added = [c for c in cases if c.method == "POST" and ROLE_CAN[c.who.roles[0]].write]  # type: ignore[union-attr]
    cases = []
    for who in scene.everyone:

        def history(a: Answer) -> str | None:
            revs = [r["revision"] for r in a.json()]
            return None if revs == list(range(1, len(added) + 1)) else f"revisions {revs}"

        cases += [
            Case("figures", "GET", f"{API}/indicators/values?area=MM", who,
                 expect(200, then=lambda a: None if len(a.json()) == 1 else f"{len(a.json())} latest figures")),
            Case("history", "GET", f"{API}/indicators/values/history?indicator=opium_poppy_cultivation&area=MM"
                 "&period=2023", who, expect(200, then=history)),
            Case("estimate", "GET", f"{API}/indicators/estimates/opium-heroin?area=MM&ratio=10", who, expect(200)),
        ]
    run(scene, cases, failures)
    failures.check()


def test_situation_routes_hold_exactly_the_visible_seizures(scene: Scene) -> None:
    """Signals and reports count exactly the seizure twins the caller's agency may see (all seized in TH in
    May 2025); a mechanism's report and alerts are for its current members only."""
    failures = Failures()
    cases = []
    members = {Rel.OWNER, Rel.MEMBER, Rel.MEMBER_PD}
    for who in scene.everyone:
        rel = scene.rel_of[who.username]
        seen = len([u for key, u in scene.seizures.items() if rel in scene.twin_seen[key]])

        def emerging(a: Answer, seen: int = seen) -> str | None:
            got = [f["figures"]["recent_seizures"] for f in a.json()["findings"] if f["kind"] == "first_sighting"]
            return None if got == ([seen] if seen else []) else f"signals count {got}, want {seen}"

        def counted(a: Answer, seen: int = seen) -> str | None:
            key = a.json()["key_figures"][0]
            return None if key["value"] == seen else f"report counts {key['value']} seizures, want {seen}"

        span = "date_from=2025-01-01&date_to=2025-06-30"
        cases += [
            Case("signals", "GET", f"{API}/signals?{span}&kinds=emerging&unjudged=true", who,
                 expect(200, then=emerging)),
            Case("region report", "GET", f"{API}/situation/report?{span}&region=GOLDEN-TRIANGLE&format=json", who,
                 expect(200, then=counted)),
            Case("mechanism report", "GET", f"{API}/situation/report?{span}&mechanism=MEK&format=json", who,
                 expect(200, then=counted) if rel in members else expect(422, code="invalid_input")),
            Case("publish", "POST", f"{API}/signals/publish", who,
                 expect(404 if rel in members else 422),
                 json={"date_from": "2025-01-01", "date_to": "2025-06-30", "signal": "0" * 16, "mechanism": "MEK"}),
        ]
    run(scene, cases, failures)
    failures.check()


def test_network_routes_hold_exactly_the_visible(scene: Scene) -> None:
    """The network of every role of every relation holds exactly the entity twins its agency may see (the
    leak scan finds no other twin's uuid or name in any answer); a twin it may not see answers like an id
    that never existed, on every route that names a node; every export holds only visible twins."""
    failures = Failures()
    cases = []
    twins = set(scene.entities.values())
    missing = str(uuid.uuid4())  # a node id that never existed
    for who in scene.everyone:
        rel = scene.rel_of[who.username]
        seen = {u for key, u in scene.entities.items() if rel in scene.twin_seen[key]}

        def nodes(a: Answer, seen: set[str] = seen) -> str | None:
            return same_set("network twins", {n["id"] for n in a.json()["nodes"]} & twins, seen)

        def exported(a: Answer, seen: set[str] = seen) -> str | None:
            ids = {json.loads(line)["id"] for line in a.content.decode().splitlines() if line.strip()}
            return same_set("exported twins", ids & twins, seen)

        cases += [
            Case("network", "GET", f"{API}/network?limit=5", who, expect(200, then=nodes)),
            Case("network export", "GET", f"{API}/network/export?format=ftm", who, expect(200, then=exported)),
            Case("network money", "POST", f"{API}/network/money", who, expect(200), json={"flows": "country"}),
        ]
        ref = next((u for u in sorted(seen)), None)  # one visible twin per caller keeps the run short
        if ref is not None:
            cases += [Case(f"network {route}", "GET", f"{API}/network/{route}?{query}", who, expect(200))
                      for route, query in (("ego", f"node={ref}"), ("disrupt", f"remove={ref}"),
                                           ("path", f"source={ref}&target={ref}"))]
    run(scene, cases, failures)
    # A hidden twin answers exactly like an id that never existed (echoed id aside).
    hidden = [(who, ref) for who in scene.everyone for key, ref in scene.entities.items()
              if scene.rel_of[who.username] not in scene.twin_seen[key]][:40]
    probes = [Case("ego hidden", "GET", f"{API}/network/ego?node={ref}", who, expect(422), echo=(ref,))
              for who, ref in hidden]
    refs = [Case("ego missing", "GET", f"{API}/network/ego?node={missing}", who, expect(422), echo=(missing,))
            for who, _ in hidden]
    got, want = run(scene, probes, failures), run(scene, refs, failures)
    for (who, ref), g, w in zip(hidden, got, want, strict=True):
        problem = like(w, [missing], [ref])(g)
        if problem:
            failures.append(f"network ego of a hidden twin [{who.username}]: {problem}")
    failures.check()


# ---------------------------------------------------------------------------------------------------
# Cases and joint investigations: the owner and current participants only; linked records and the
# syndicate each under their own sharing rule. Last in the module: it writes entities of its own (the
# syndicate and its member), which the entity collection tests above do not expect.
# ---------------------------------------------------------------------------------------------------
CASE_PARTS = (Rel.OWNER, Rel.NAMED, Rel.MEMBER)  # OWN's case, NAMED and MEMBER invited


@dataclass
class CaseWorld:
    uuid: str
    org: str  # an Organization entity of OWN, to MEK: OWN, MEMBER and MEMBER-PD see it
    org_name: str
    person: str  # its member (personal data, to all): only OWN's personal-data partners see it
    person_name: str
    links: dict[str, tuple[str, frozenset[Rel]]]  # linked record uuid -> (what it is, who sees it)


def _case_world(scene: Scene) -> CaseWorld:
    """OWN's case with NAMED and MEMBER taking part: OWN links every record of the matrix and its seizure and
    entity twins, NAMED links OUTSIDER's personal-data report that only it (and OUTSIDER) may see."""
    from interdict.schemas.cases import CaseCreate, LinkIn
    from interdict.services.entities import EntityDraft
    from interdict.services.sharing import DistributionRequest

    p, w = scene.platform, scene.world
    tag = secrets.token_hex(4)
    org_name, person_name = f"Golden Lotus {_marker('org')}", f"Zhang {_marker('prs')}"
    with p.db.unit() as s:
        owner = w.actor(scene.author)
        org = p.entities.create(s, owner, EntityDraft(
            "Organization", {"name": [org_name]}, f"org-{tag}", DistributionRequest("mechanisms", mechanisms=["MEK"])))
        person = p.entities.create(s, owner, EntityDraft(
            "Person", {"name": [person_name]}, f"person-{tag}", DistributionRequest("all")))
        p.entities.create(s, owner, EntityDraft(
            "Membership", {"member": [f"person-{tag}"], "organization": [f"org-{tag}"], "role": ["financier"]},
            f"member-{tag}", DistributionRequest("all")))
        case = p.cases.create(s, owner, CaseCreate(
            title=f"Case {_marker('case')}", offences=["drug_trafficking", "Money laundering"], syndicate=org.uuid,
            participants=[Rel.NAMED.code, Rel.MEMBER.code]))
        org_uuid, person_uuid, case_uuid = org.uuid, person.uuid, case.uuid
    links: dict[str, tuple[str, frozenset[Rel]]] = {}
    for rec in scene.matrix:
        twins = [u for u in (scene.seizures.get(rec.key), scene.entities.get(rec.key)) if u]
        for record, seen in ((rec.uuid, frozenset(rec.seen_by)), *((u, scene.twin_seen[rec.key]) for u in twins)):
            with p.db.unit() as s:
                p.cases.link(s, w.actor(scene.author), case_uuid, LinkIn(record=record, note="ours"))
            links[record] = (rec.key, seen)
    foreign = scene.records["foreign/all-pd"]
    with p.db.unit() as s:
        p.cases.link(s, w.actor(scene.user(Rel.NAMED, "analyst")), case_uuid, LinkIn(record=foreign.uuid))
    links[foreign.uuid] = (foreign.key, frozenset(foreign.seen_by))
    return CaseWorld(case_uuid, org_uuid, org_name, person_uuid, person_name, links)


def _case_ok(cw: CaseWorld, rel: Rel) -> Check:
    """The case as ``rel`` must see it: exactly the linked records it may see, the syndicate only where it
    sees the entity."""

    def check(a: Answer) -> str | None:
        j = a.json()
        want = {u for u, (_, seen) in cw.links.items() if rel in seen}
        got = {lk["record_uuid"] for lk in j["links"]}
        if got != want:
            extra, lost = sorted(cw.links[u][0] for u in got - want), sorted(cw.links[u][0] for u in want - got)
            return f"links: extra {extra}, missing {lost}"
        if sees(rel, "mechanisms", False) != (j["syndicate"] is not None):
            return f"syndicate shown: {j['syndicate']}"
        if not sees(rel, "mechanisms", False) and cw.org_name.lower() in a.content.decode().lower():
            return "LEAK of the syndicate's name"
        if {x["agency"] for x in j["participants"]} != {r.code for r in CASE_PARTS}:
            return f"participants {j['participants']}"
        return None

    return check


def _case_write(route: str, rel: Rel, role: str) -> tuple[dict[str, Any], Check]:
    """(body, check, url suffix) of a write route for a participant: a probe refused after
    authorization where the caller may write, else a real write that must be refused with 403."""
    owner, writer = rel is Rel.OWNER, ROLE_CAN[role].write
    visible_record = {"record": "not-a-uuid"}
    table: dict[str, tuple[dict[str, Any], dict[str, Any], Check, bool]] = {
        # route: (probe, denied body, the probe's answer, owner only)
        "PATCH": ({"json": {"version": 999_999, "title": "probe"}}, {"json": {"version": 1, "title": "HIJACKED"}},
                  expect(409, fields={"version"}), True),
        "status": ({"json": {"status": "open"}}, {"json": {"status": "closed", "reason": "HIJACKED"}},
                   expect(409, fields={"status"}), True),
        "invite": ({"json": {"agency": NOPE_AGENCY}}, {"json": {"agency": Rel.OUTSIDER.code}},
                   expect(422, fields={"agency"}), True),
        "remove": ({}, {}, expect(422, fields={"agency"}), True),
        "link": ({"json": visible_record}, {"json": visible_record}, expect(422, fields={"record"}), False),
        "unlink": ({}, {}, expect(404, then=lambda a: None if "linked to case" in a.problem["detail"]
                                  else "not the missing-link answer"), False),
        "message": ({"json": {"body": "probe", "reply_to": "not-an-entry"}}, {"json": {"body": "HIJACKED"}},
                    expect(422, fields={"reply_to"}), False),
    }
    probe, denied, ok, owner_only = table[route]
    if writer and (owner or not owner_only):
        return probe, ok
    return denied, expect(403, code="forbidden")


CASE_WRITES: dict[str, tuple[str, str]] = {  # label -> (method, path under the case)
    "PATCH": ("PATCH", ""),
    "status": ("POST", "/status"),
    "invite": ("POST", "/participants"),
    "remove": ("DELETE", f"/participants/{NOPE_AGENCY}"),
    "link": ("POST", "/links"),
    "unlink": ("DELETE", "/links/00000000-0000-4000-8000-000000000000"),
    "message": ("POST", "/messages"),
}


def test_case_routes_every_role_and_relation(scene: Scene) -> None:
    """Every case route x every role of every relation: participants read (their writers write), anyone
    else gets exactly the answer for a case that does not exist; each participant sees exactly the linked
    records its agency may see; refused and probing writes change nothing; a participant removed or
    leaving loses the case at once."""
    failures = Failures()
    cw = _case_world(scene)
    c = f"{API}/cases"
    fixed = scene.user(Rel.OUTSIDER, "reader")
    ghost = str(uuid.uuid4())
    missing: dict[str, Answer] = {}
    for label, (method, path) in {"GET": ("GET", ""), **CASE_WRITES,
                                  "note": ("POST", "/notes")}.items():
        body = ({"json": {"body": "x"}} if label == "note" else {} if label == "GET"
                else _case_write(label, Rel.OUTSIDER, "reader")[0])
        (missing[label],) = run(scene, [Case(f"missing case {label}", method, f"{c}/{ghost}{path}", fixed,
                                             expect(404), **body)], failures)
    (missing_synd,) = run(scene, [Case("missing syndicate", "GET", f"{API}/syndicates/{ghost}", fixed, expect(404))],
                          failures)

    def owner_view() -> Any:
        (a,) = run(scene, [Case("owner view", "GET", f"{c}/{cw.uuid}", scene.author, expect(200))], failures)
        j = a.json()
        return {k: j[k] for k in ("title", "status", "version", "participants", "links")}

    before = owner_view()
    cases: list[Case] = []
    for (rel, role), who in scene.users.items():
        part = rel in CASE_PARTS
        url = f"{c}/{cw.uuid}"
        cases.append(Case(f"case {rel.code} {role}", "GET", url, who,
                          expect(200, then=_case_ok(cw, rel)) if part else like(missing["GET"], [ghost], [cw.uuid]),
                          echo=(cw.uuid,)))
        cases.append(Case(f"cases {rel.code} {role}", "GET", f"{c}?limit=200", who, expect(200, then=listing(
            "cases", lambda j: [i["uuid"] for i in j["items"]], {cw.uuid} if part else set()))))
        for label, (method, path) in CASE_WRITES.items():
            if part:
                body, check = _case_write(label, rel, role)
            else:
                body, check = _case_write(label, Rel.OUTSIDER, "reader")[0], like(missing[label], [ghost], [cw.uuid])
            cases.append(Case(f"case {label} {rel.code} {role}", method, f"{url}{path}", who, check,
                              echo=(cw.uuid,), **body))
        # Notes have no probe that passes validation: writers of participants write one for real.
        note = f"note by {rel.code} {role}"
        if part and ROLE_CAN[role].write:
            check = expect(201)
        elif part:
            check = expect(403, code="forbidden")
        else:
            check = like(missing["note"], [ghost], [cw.uuid])
        cases.append(Case(f"case note {rel.code} {role}", "POST", f"{url}/notes", who, check, echo=(cw.uuid,),
                          json={"body": note if part else "x"}))
        # Syndicates: the entity under its own rule; its cases only where the agency takes part.
        org_seen, person_seen = sees(rel, "mechanisms", False), sees(rel, "all", True)

        def syndicate_ok(a: Answer, part: bool = part, person_seen: bool = person_seen) -> str | None:
            j = a.json()
            if [x["uuid"] for x in j["cases"]] != ([cw.uuid] if part else []):
                return f"syndicate cases {j['cases']}"
            if [m["uuid"] for m in j["members"]] != ([cw.person] if person_seen else []):
                return f"members {j['members']}"
            if not person_seen and cw.person_name.lower() in a.content.decode().lower():
                return "LEAK of the member's name"
            return None

        cases.append(Case(f"syndicate {rel.code} {role}", "GET", f"{API}/syndicates/{cw.org}", who,
                          expect(200, then=syndicate_ok) if org_seen else like(missing_synd, [ghost], [cw.org]),
                          echo=(cw.org,)))
        cases.append(Case(f"syndicates {rel.code} {role}", "GET", f"{API}/syndicates", who, expect(200, then=listing(
            "syndicates", lambda j: [i["uuid"] for i in j], {cw.org} if org_seen and part else set()))))
    run(scene, cases, failures)
    after = owner_view()
    if after != before:
        failures.append("a refused or probing write changed the case")

    # The notes the writers wrote are read by every participant; nobody else's words are there.
    def notes_ok(a: Answer) -> str | None:
        got = sorted(e["body"] for e in a.json()["entries"] if e["kind"] == "note")
        want = sorted(f"note by {r.code} {role}" for r in CASE_PARTS for role in ROLES if ROLE_CAN[role].write)
        return None if got == want else f"notes {got}"

    run(scene, [Case("notes", "GET", f"{c}/{cw.uuid}", scene.user(Rel.MEMBER, "reader"), expect(200, then=notes_ok))],
        failures)

    # MEMBER removed by the owner, NAMED leaving: from the next request, the case is gone for them.
    steps = [
        Case("reader cannot leave", "DELETE", f"{c}/{cw.uuid}/participants/{Rel.NAMED.code}",
             scene.user(Rel.NAMED, "reader"), expect(403, code="forbidden")),
        Case("NAMED leaves", "DELETE", f"{c}/{cw.uuid}/participants/{Rel.NAMED.code}",
             scene.user(Rel.NAMED, "analyst"), expect(200, then=lambda a: None if a.json() is None else "case shown")),
        Case("owner removes MEMBER", "DELETE", f"{c}/{cw.uuid}/participants/{Rel.MEMBER.code}",
             scene.user(Rel.OWNER, "supervisor"), expect(200)),
    ]
    run(scene, steps, failures, concurrency=1)
    gone = []
    for rel in (Rel.NAMED, Rel.MEMBER):
        for role in ROLES:
            who = scene.user(rel, role)
            gone.append(Case(f"removed {rel.code} {role}", "GET", f"{c}/{cw.uuid}", who,
                             like(missing["GET"], [ghost], [cw.uuid]), echo=(cw.uuid,)))
            gone.append(Case(f"removed {rel.code} {role} list", "GET", f"{c}?limit=200", who,
                             expect(200, then=listing("cases", lambda j: [i["uuid"] for i in j["items"]], set()))))
    run(scene, gone, failures)
    failures.check()


# ---------------------------------------------------------------------------------------------------
# Precursor control: incidents (a shared record like any other) and pre-export notifications (the two
# authorities and the transit authorities, and whoever they share it with further)
# ---------------------------------------------------------------------------------------------------
INCIDENT_ROUTES = routes_of(Kind.INCIDENT_READ, Kind.INCIDENT_OWNER)
INCIDENT_PROBES: dict[tuple[str, str], Probe] = {
    ("PUT", f"{PI}/{{ref}}/distribution"): Probe(
        lambda r: {"json": {"distribution": "agencies", "agencies": [NOPE_AGENCY], "reason": "probe"}}, 422,
        {"agencies"},
        lambda r: {"json": {"distribution": "all", "reason": "HIJACKED"}}),
}


def test_precursor_incident_routes_every_role_relation_and_distribution(scene: Scene) -> None:
    _twin_routes(scene, "precursor incident", scene.incidents, PI, INCIDENT_ROUTES, INCIDENT_PROBES)


def test_precursor_incident_list_and_statistics_hold_exactly_the_visible(scene: Scene) -> None:
    failures = Failures()
    cases = []
    for who in scene.everyone:
        rel = scene.rel_of[who.username]
        seen = {u for key, u in scene.incidents.items() if rel in scene.twin_seen[key]}

        def listed(a: Answer, seen: set[str] = seen) -> str | None:
            return same_set("incidents", [i["uuid"] for i in a.json()["items"]], seen)

        def counted(a: Answer, seen: set[str] = seen) -> str | None:
            j = a.json()
            if j["total_incidents"] != len(seen) or abs(j["total_mass_kg"] - 200 * len(seen)) > 1e-6:
                return f"statistics count {j['total_incidents']} incidents / {j['total_mass_kg']} kg, want {len(seen)}"
            if sum(r["incidents"] for r in j["rows"]) != len(seen):
                return "rows do not add up to the total"
            return None

        cases += [
            Case("incident list", "GET", f"{PI}?limit=200", who, expect(200, then=listed)),
            Case("incident stats by kind", "GET", f"{PI}/stats?by=kind", who, expect(200, then=counted)),
            Case("incident stats by substance", "GET", f"{PI}/stats?by=substance", who, expect(200, then=counted)),
        ]
    run(scene, cases, failures)
    failures.check()


PEN_PARTIES = frozenset(PEN_COUNTRIES)  # OWN exports, NAMED imports, MEMBER is the transit country


@dataclass
class PenWorld:
    uuid: str
    reference: str
    importer: str


def _pen_world(scene: Scene) -> PenWorld:
    """Each party designated its country's competent authority; OWN notifies an export to NAMED's country
    whose route crosses MEMBER's."""
    from interdict.schemas.pen import PenCreate

    p, w = scene.platform, scene.world
    admin = w.actor(scene.user(Rel.OUTSIDER, "platform_admin"))
    with p.db.unit() as s:
        for rel, country in PEN_COUNTRIES.items():
            p.pen.designate(s, admin, country, rel.code)
    importer = f"Importer {_marker('imp')} (fictitious)"
    with p.db.unit() as s:
        n = p.pen.create(s, w.actor(scene.author), PenCreate.model_validate(_pen_body(
            importer=importer, purpose=f"Purpose {_marker('pur')}")))
        made = PenWorld(n.uuid, n.reference, importer)
    scene.private.append(({made.uuid: "notification uuid", made.reference: "notification reference",
                           made.importer: "notification importer"}, PEN_PARTIES))
    return made


# Each step of a notification: (method, path under it, the side that takes it, the probe a writer of that side
# sends: refused after authorization for its stale version, and the real write everyone else sends).
PEN_STEPS: dict[str, tuple[str, str, frozenset[Rel], dict[str, Any]]] = {
    "answer": ("POST", "/answer", frozenset({Rel.NAMED}), {"answer": "no_objection"}),
    "information": ("POST", "/information", frozenset({Rel.OWNER}), {"information": "Invoice attached."}),
    "shipment": ("POST", "/shipment", frozenset({Rel.OWNER}), {"shipped": True, "shipped_on": "2026-06-20"}),
    "arrival": ("POST", "/arrival", frozenset({Rel.OWNER}), {"arrived_on": "2026-06-25"}),
    "withdrawal": ("POST", "/withdrawal", frozenset({Rel.OWNER}), {"reason": "HIJACKED"}),
    "share further": ("PUT", "/distribution", frozenset({Rel.OWNER, Rel.NAMED}),
                      {"distribution": "all", "reason": "HIJACKED"}),
}


def test_pen_routes_every_role_and_relation(scene: Scene) -> None:
    """Every notification route x every role of every relation: the exporting, importing and transit
    authorities read it (nobody else: exactly the answer for one that does not exist); each step is taken
    only by the writers of its side (a transit authority or the other side gets 403); refused and probing
    writes change nothing; shared further, it reaches exactly the agencies added."""
    failures = Failures()
    pw = _pen_world(scene)
    fixed = scene.user(Rel.OUTSIDER, "reader")
    ghost = str(uuid.uuid4())

    def owner_view() -> Any:
        (a,) = run(scene, [Case("owner view", "GET", f"{PN}/{pw.uuid}", scene.author, expect(200))], failures)
        j = a.json()
        return {k: j[k] for k in ("state", "version", "answer", "shipped", "sharing", "flags")}

    before = owner_view()
    version = before["version"]
    missing: dict[str, Answer] = {}
    for label, (method, path) in {"GET": ("GET", ""), "events": ("GET", "/events"), "flags": ("POST", "/flags"),
                                  **{k: (m, p) for k, (m, p, _, _) in PEN_STEPS.items()}}.items():
        body = {"json": {"version": version, **PEN_STEPS[label][3]}} if label in PEN_STEPS else {}
        (missing[label],) = run(scene, [Case(f"missing notification {label}", method, f"{PN}/{ghost}{path}", fixed,
                                             expect(404), **body)], failures)
    cases: list[Case] = []
    for (rel, role), who in scene.users.items():
        party, writer = rel in PEN_PARTIES, ROLE_CAN[role].write
        url = f"{PN}/{pw.uuid}"
        for ref in (pw.uuid, pw.reference):
            cases.append(Case(f"notification {rel.code} {role}", "GET", f"{PN}/{ref}", who,
                              expect(200, then=field_is("uuid", pw.uuid)) if party
                              else like(missing["GET"], [ghost], [ref]), echo=(ref,)))
        cases.append(Case(f"events {rel.code} {role}", "GET", f"{url}/events", who,
                          expect(200) if party else like(missing["events"], [ghost], [pw.uuid]), echo=(pw.uuid,)))
        cases.append(Case(f"notifications {rel.code} {role}", "GET", f"{PN}?box=all&limit=200", who,
                          expect(200, then=listing("notifications", lambda j: [i["uuid"] for i in j["items"]],
                                                   {pw.uuid} if party else set()))))
        for label, (method, path, side, fields) in PEN_STEPS.items():
            if party and writer and rel in side:
                body, check = {"version": 999_999, **fields}, expect(409, fields={"version"})
            elif party:
                body, check = {"version": version, **fields}, expect(403, code="forbidden")
            else:
                body, check = {"version": version, **fields}, like(missing[label], [ghost], [pw.uuid])
            cases.append(Case(f"{label} {rel.code} {role}", method, f"{url}{path}", who, check, echo=(pw.uuid,),
                              json=body))
        # Re-evaluating the flags has no probe: the two authorities' writers re-run their own rules for real
        # (on unchanged facts they raise the same flags again).
        if party and writer and rel in (Rel.OWNER, Rel.NAMED):
            check = expect(200)
        elif party:
            check = expect(403, code="forbidden")
        else:
            check = like(missing["flags"], [ghost], [pw.uuid])
        cases.append(Case(f"flags {rel.code} {role}", "POST", f"{url}/flags", who, check, echo=(pw.uuid,)))
        # Notifying: only the writers of a designated authority (here the three parties) notify exports.
        check = expect(422, fields={"importing_country"}) if party and writer else expect(403, code="forbidden")
        cases.append(Case(f"notify {rel.code} {role}", "POST", PN, who, check,
                          json=_pen_body(importing_country="ZZ")))
    run(scene, cases, failures)
    after = owner_view()
    if after != before:
        failures.append(f"a refused or probing write changed the notification: {before} -> {after}")

    # Shared further by the exporter with OUTSIDER: from the next request OUTSIDER's users see it, nobody else
    # new does; neither side may leave out the importing or transit authority.
    named, member, outsider = Rel.NAMED.code, Rel.MEMBER.code, Rel.OUTSIDER.code
    steps = [
        Case("dropping the transit authority", "PUT", f"{PN}/{pw.uuid}/distribution", scene.author,
             expect(422), json={"version": version, "distribution": "agencies", "agencies": [named]}),
        Case("the importer drops nobody", "PUT", f"{PN}/{pw.uuid}/distribution",
             scene.user(Rel.NAMED, "analyst"), expect(422, fields={"agencies"}),
             json={"version": version, "distribution": "agencies", "agencies": [named, outsider]}),
        Case("shared further with OUTSIDER", "PUT", f"{PN}/{pw.uuid}/distribution", scene.author, expect(200),
             json={"version": version, "distribution": "agencies", "agencies": [named, member, outsider]}),
    ]
    run(scene, steps, failures, concurrency=1)
    scene.private[-1] = (scene.private[-1][0], PEN_PARTIES | {Rel.OUTSIDER})
    now_seen = []
    for (rel, role), who in scene.users.items():
        sees_now = rel in PEN_PARTIES or rel is Rel.OUTSIDER
        now_seen.append(Case(f"after sharing {rel.code} {role}", "GET", f"{PN}/{pw.uuid}", who,
                             expect(200) if sees_now else like(missing["GET"], [ghost], [pw.uuid]),
                             echo=(pw.uuid,)))
    run(scene, now_seen, failures)
    failures.check()


def test_precursor_reference_routes_every_role_and_relation(scene: Scene) -> None:
    """Reference data of precursor control: every signed-in user reads it; diversion rules are changed by the
    agency's supervisors and admins, annual requirements by the writers of the country's competent authority
    and platform admins, control statuses by the writers of an agency of that country and platform admins;
    everyone else is refused and nothing changes. (Runs after the notification test: OWN is Thailand's
    competent authority by then.)"""
    failures = Failures()
    p = scene.platform
    with p.db.unit() as s:
        designated = p.pen.authorities(s, scene.world.actor(scene.author))
    if not designated:  # run on its own (-k): the notification test designates the authorities
        _pen_world(scene)
    reads = [f"{API}/precursors/authorities", f"{API}/precursors/rules", f"{API}/precursors/requirements",
             f"{API}/scheduling/jurisdictions", f"{API}/scheduling/statuses?substance=ephedrine"]
    requirement = {"country": PEN_COUNTRIES[Rel.OWNER], "substance": "ephedrine", "year": 2026, "quantity": 100,
                   "unit": "kg", "source": "matrix"}
    status = {"substance": "ephedrine", "jurisdiction": "TH", "schedule": "Category 1", "in_force": "2020-01-01",
              "legal_reference": "Act", "source": "matrix"}
    status_csv = b"substance,jurisdiction,schedule,in_force,legal_reference,source\n" \
                 b"ephedrine,TH,Category 1,2020-01-01,Act,matrix\n"
    cases: list[Case] = []
    for (rel, role), who in scene.users.items():
        can = ROLE_CAN[role]
        for url in reads:
            cases.append(Case(f"read {rel.code} {role}", "GET", url, who, expect(200)))
        # A mechanism's gap matrix: its current members (and platform admins), like its roster.
        member = "MEK" in CURRENT_MECHANISMS[rel] or can.structure
        for suffix in ("", ".csv"):
            cases.append(Case(f"gaps{suffix} {rel.code} {role}", "GET", f"{API}/scheduling/gaps{suffix}?mechanism=MEK",
                              who, expect(200) if member else expect(404, code="not_found")))
        if role in ("supervisor", "agency_admin"):
            cases.append(Case(f"rule probe {rel.code} {role}", "PUT", f"{API}/precursors/rules/excess_quantity", who,
                              expect(422), json={"params": {"margin_pct": -5}}))
        else:
            cases.append(Case(f"rule {rel.code} {role}", "PUT", f"{API}/precursors/rules/free_trade_zone", who,
                              expect(403, code="forbidden"), json={"enabled": False}))
        # Control statuses: Thailand's by the writers of Thai agencies (all but NAMED and MEMBER) and platform
        # admins; the probe names a substance the catalogue does not know, the real write a known one.
        if can.structure or (can.write and rel not in (Rel.NAMED, Rel.MEMBER)):
            cases += [
                Case(f"status probe {rel.code} {role}", "POST", f"{API}/scheduling/statuses", who, expect(422),
                     json={**status, "substance": "no such substance"}),
                Case(f"status import probe {rel.code} {role}", "POST", f"{API}/scheduling/imports", who,
                     expect(422), files=_file("list.csv", status_csv.replace(b"ephedrine", b"no such substance"))),
            ]
        else:
            cases += [
                Case(f"status {rel.code} {role}", "POST", f"{API}/scheduling/statuses", who,
                     expect(403, code="forbidden"), json=status),
                Case(f"status import {rel.code} {role}", "POST", f"{API}/scheduling/imports", who,
                     expect(403, code="forbidden"), files=_file("list.csv", status_csv)),
            ]
        if can.structure or (rel is Rel.OWNER and can.write):
            cases.append(Case(f"requirement probe {rel.code} {role}", "PUT", f"{API}/precursors/requirements", who,
                              expect(422, fields={"substance"}), json={**requirement, "substance": "heroin"}))
        else:
            cases.append(Case(f"requirement {rel.code} {role}", "PUT", f"{API}/precursors/requirements", who,
                              expect(403, code="forbidden"), json=requirement))
    run(scene, cases, failures)

    def unchanged(a: Answer) -> str | None:
        j = a.json()
        rows = j["items"] if isinstance(j, dict) else j
        return f"requirements written: {rows}" if rows else None

    def rules_on(a: Answer) -> str | None:
        off = [r["code"] for r in a.json() if not r["enabled"]]
        return f"rules switched off: {off}" if off else None

    def no_status(a: Answer) -> str | None:
        national = [j for j in a.json()["jurisdictions"] if j["jurisdiction"] != "UN"]
        return f"statuses written: {national}" if national else None

    run(scene, [Case("no requirement", "GET", f"{API}/precursors/requirements?country=TH", scene.author,
                     expect(200, then=unchanged)),
                Case("no status", "GET", f"{API}/scheduling/statuses?substance=ephedrine", scene.author,
                     expect(200, then=no_status)),
                Case("rules unchanged", "GET", f"{API}/precursors/rules", scene.author, expect(200, then=rules_on))],
        failures)
    failures.check()


def test_scheduling_gap_evidence_holds_exactly_the_visible(scene: Scene) -> None:
    """Heroin and acetic anhydride are controlled in Thailand and not in Myanmar (MEK's two countries): each
    gap row's evidence counts exactly the seizure and incident twins the caller's agency may see."""
    failures = Failures()
    steps = [Case(f"status {code}", "POST", f"{API}/scheduling/statuses", scene.author, expect(201), json={
        "substance": code, "jurisdiction": "TH", "schedule": "Schedule I", "in_force": "2020-01-01",
        "legal_reference": "Act", "source": "matrix"})
        for code in ("heroin", "acetic_anhydride")]
    run(scene, steps, failures, concurrency=1)
    cases = []
    for (rel, role), who in scene.users.items():
        if not ("MEK" in CURRENT_MECHANISMS[rel] or ROLE_CAN[role].structure):
            continue
        seizures = sum(rel in scene.twin_seen[k] for k in scene.seizures)
        incidents = sum(rel in scene.twin_seen[k] for k in scene.incidents)

        def evidence(a: Answer, seizures: int = seizures, incidents: int = incidents) -> str | None:
            rows = {r["substance"]: r for r in a.json()["rows"]}
            if set(rows) < {"heroin", "acetic_anhydride"}:
                return f"gap rows {sorted(rows)}"
            heroin, anhydride = rows["heroin"], rows["acetic_anhydride"]
            if (heroin["not_controlled_in"], heroin["controlled_in"]) != (["MM"], ["TH"]):
                return f"heroin cells {heroin['cells']}"
            if heroin["seizures"] != seizures or abs(heroin["seizure_kg"] - 1.5 * seizures) > 1e-6:
                return f"heroin evidence {heroin['seizures']} seizures / {heroin['seizure_kg']} kg, want {seizures}"
            if anhydride["incidents"] != incidents or abs(anhydride["incident_kg"] - 200 * incidents) > 1e-6:
                return f"anhydride evidence {anhydride['incidents']} incidents, want {incidents}"
            return None

        cases.append(Case(f"gaps {rel.code} {role}", "GET", f"{API}/scheduling/gaps?mechanism=MEK&on={TODAY}", who,
                          expect(200, then=evidence)))
    run(scene, cases, failures)
    failures.check()
