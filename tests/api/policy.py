"""The authorization policy, written by hand so the matrix test does not take it from the code it tests.

Three tables:

* ``POLICY``: every API route of the app (method, path template under /api/v1) and its class. The matrix test diffs this
  table against the app's route table, so a new endpoint fails the suite until it is classified here,
  and once classified the matrix exercises it with every role and relation of its class.
* ``ROLE_CAN``: what each role may do.
* ``VISIBLE``: which relation sees which of the owner's records (distribution x personal data), plus the
  structure each relation has (mechanisms, agreements), from which the roster and agreement answers
  follow.

Nothing here touches a database; ``tests/api/test_authz_matrix.py`` builds a world with these facts.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


class Kind(enum.StrEnum):
    """What decides who may call a route."""

    PUBLIC = "public"  # anyone, signed in or not
    SELF = "authenticated-self"  # any signed-in user, acting on themselves
    RECORD_CREATE = "record-create"  # writer roles, the owner is the caller's agency
    RECORD_COLLECTION = "record-collection"  # list/count/export: exactly the records the agency may see
    RECORD_READ = "record-read"  # one shared record by ref: visible -> 200, else 404 as if missing
    RECORD_OWNER = "record-owner"  # visible + owner agency + writer role; else 404 / 403
    RECORD_ONWARD = "record-onward"  # visible + not the owner + writer role
    ONWARD_READ = "onward-read"  # an onward-sharing request: its owner or requester agency
    ONWARD_DECIDE = "onward-decide"  # owner agency + (supervisor | liaison officer | the report's author)
    STRUCTURE_READ = "structure-read"  # the agency directory: any signed-in user
    ROSTER_READ = "roster-read"  # mechanisms and agreements: current members (and platform admins) only
    STRUCTURE_ADMIN = "structure-admin"  # platform admins (agency admins may set their agency's mfa_required)
    USER_ADMIN = "user-admin"  # agency admins for their own agency; platform admins see (and may disable)
    TOKENS = "tokens"  # one's own API tokens; agency admins those of their agency
    AUDIT = "audit"  # supervisors and admins: their agency's part; verify: platform admins
    SEIZURE_READ = "seizure-read"  # one seizure: visible -> 200, else 404 as if missing
    SEIZURE_OWNER = "seizure-owner"  # visible + owner agency + writer role; else 404 / 403
    SEIZURE_COLLECTION = "seizure-collection"  # list and statistics: exactly the seizures the agency may see
    REFERENCE = "reference"  # catalogue-like answers with no records: any signed-in user
    OPERATION = "operation"  # joint operations: participants only, 404 for anyone else
    ENTITY_READ = "entity-read"  # one FtM entity: visible -> 200, else 404 as if missing
    ENTITY_OWNER = "entity-owner"  # visible + owner agency + writer role; else 404 / 403
    ENTITY_COLLECTION = "entity-collection"  # list and FtM export: exactly the entities the agency may see
    CROSSCHECK = "crosscheck"  # any user of an agency: visible candidates, blind hits, its own inbox
    RFI = "rfi"  # a request for information: requester or recipient agency; 404 for anyone else
    CASE = "case"  # a case file: its owner agency and current participants; 404 for anyone else
    INDICATORS = "indicators"  # published figures: every signed-in user reads; writer roles enter
    SITUATION = "situation"  # signals and reports over exactly the seizures the agency may see; mechanism
    # reports and alerts for current members only
    NETWORK = "network"  # the graph of exactly the entities, relations, cases and seizures the agency may see
    INCIDENT_READ = "incident-read"  # one precursor incident: visible -> 200, else 404 as if missing
    INCIDENT_OWNER = "incident-owner"  # visible + owner agency + writer role; else 404 / 403
    INCIDENT_COLLECTION = "incident-collection"  # list and statistics: exactly the incidents the agency may see
    PEN = "pen"  # a pre-export notification: the exporting, importing and transit authorities and the agencies
    # it was shared further with; 404 for anyone else. Each step: only the authority whose step it is.
    PRECURSOR_REFERENCE = "precursor-reference"  # control statuses, gaps (evidence: visible records only),
    # diversion rules, annual requirements, competent authorities: every signed-in user reads; the writers
    # named in the note write


@dataclass(frozen=True)
class RoutePolicy:
    kind: Kind
    note: str = ""


API = "/api/v1"
R = f"{API}/intel-reports"
S = f"{API}/seizures"
PI = f"{API}/precursors/incidents"
PN = f"{API}/precursors/notifications"

POLICY: dict[tuple[str, str], RoutePolicy] = {
    # -- public ----------------------------------------------------------------------------------
    # The schema is served to anyone. The security spec lists only health, ready and login as open;
    # the schema holds no data, but this is a deviation the project has to decide on (see the report).
    ("GET", f"{API}/openapi.json"): RoutePolicy(Kind.PUBLIC, "API schema; no data"),
    ("HEAD", f"{API}/openapi.json"): RoutePolicy(Kind.PUBLIC, "API schema; no data"),
    ("GET", f"{API}/health"): RoutePolicy(Kind.PUBLIC),
    ("GET", f"{API}/ready"): RoutePolicy(Kind.PUBLIC),
    ("POST", f"{API}/auth/login"): RoutePolicy(Kind.PUBLIC),
    # -- any signed-in user, about themselves ----------------------------------------------------
    ("POST", f"{API}/auth/logout"): RoutePolicy(Kind.SELF),
    ("GET", f"{API}/auth/me"): RoutePolicy(Kind.SELF),
    ("POST", f"{API}/auth/mfa/enrol"): RoutePolicy(Kind.SELF),
    ("POST", f"{API}/auth/mfa/confirm"): RoutePolicy(Kind.SELF),
    ("POST", f"{API}/auth/password"): RoutePolicy(Kind.SELF),
    # -- cooperation structure -------------------------------------------------------------------
    ("GET", f"{API}/agencies"): RoutePolicy(Kind.STRUCTURE_READ),
    ("POST", f"{API}/agencies"): RoutePolicy(Kind.STRUCTURE_ADMIN),
    ("GET", f"{API}/agencies/{{code}}"): RoutePolicy(Kind.STRUCTURE_READ),
    ("PATCH", f"{API}/agencies/{{code}}"): RoutePolicy(Kind.STRUCTURE_ADMIN, "own agency admin: mfa_required"),
    ("GET", f"{API}/mechanisms"): RoutePolicy(Kind.ROSTER_READ),
    ("POST", f"{API}/mechanisms"): RoutePolicy(Kind.STRUCTURE_ADMIN),
    ("GET", f"{API}/mechanisms/{{code}}"): RoutePolicy(Kind.ROSTER_READ),
    ("POST", f"{API}/mechanisms/{{code}}/members"): RoutePolicy(Kind.STRUCTURE_ADMIN),
    ("POST", f"{API}/mechanisms/{{code}}/members/leave"): RoutePolicy(Kind.STRUCTURE_ADMIN),
    ("GET", f"{API}/agreements"): RoutePolicy(Kind.ROSTER_READ),
    ("POST", f"{API}/agreements"): RoutePolicy(Kind.STRUCTURE_ADMIN),
    # -- users and tokens ------------------------------------------------------------------------
    ("GET", f"{API}/users"): RoutePolicy(Kind.USER_ADMIN),
    ("POST", f"{API}/users"): RoutePolicy(Kind.USER_ADMIN),
    ("GET", f"{API}/users/{{username}}"): RoutePolicy(Kind.USER_ADMIN),
    ("PATCH", f"{API}/users/{{username}}"): RoutePolicy(Kind.USER_ADMIN),
    ("POST", f"{API}/users/{{username}}/mfa-reset"): RoutePolicy(Kind.USER_ADMIN),
    ("POST", f"{API}/users/{{username}}/password-reset"): RoutePolicy(Kind.USER_ADMIN),
    ("GET", f"{API}/tokens"): RoutePolicy(Kind.TOKENS),
    ("POST", f"{API}/tokens"): RoutePolicy(Kind.TOKENS),
    ("DELETE", f"{API}/tokens/{{token_uuid}}"): RoutePolicy(Kind.TOKENS),
    # -- audit -----------------------------------------------------------------------------------
    ("GET", f"{API}/audit"): RoutePolicy(Kind.AUDIT),
    ("GET", f"{API}/audit/verify"): RoutePolicy(Kind.AUDIT, "platform admins"),
    # -- intelligence reports --------------------------------------------------------------------
    ("GET", R): RoutePolicy(Kind.RECORD_COLLECTION),
    ("GET", f"{R}/count"): RoutePolicy(Kind.RECORD_COLLECTION),
    ("GET", f"{R}/export"): RoutePolicy(Kind.RECORD_COLLECTION, "foreign no_onward_sharing withheld"),
    ("POST", R): RoutePolicy(Kind.RECORD_CREATE),
    ("GET", f"{R}/{{ref}}"): RoutePolicy(Kind.RECORD_READ),
    ("PATCH", f"{R}/{{ref}}"): RoutePolicy(Kind.RECORD_OWNER),
    ("PUT", f"{R}/{{ref}}/distribution"): RoutePolicy(Kind.RECORD_OWNER),
    ("GET", f"{R}/{{ref}}/access-log"): RoutePolicy(Kind.RECORD_OWNER, "owner agency's writers"),
    ("POST", f"{R}/{{ref}}/attachments"): RoutePolicy(Kind.RECORD_OWNER),
    ("GET", f"{R}/{{ref}}/attachments/{{att_ref}}"): RoutePolicy(Kind.RECORD_READ, "the parent decides"),
    ("POST", f"{R}/{{ref}}/onward-requests"): RoutePolicy(Kind.RECORD_ONWARD),
    # -- seizures, statistics and joint operations ----------------------------------------------
    ("GET", f"{S}"): RoutePolicy(Kind.SEIZURE_COLLECTION),
    ("POST", f"{S}"): RoutePolicy(Kind.RECORD_CREATE),
    ("GET", f"{S}/template"): RoutePolicy(Kind.REFERENCE, "the published import template"),
    ("POST", f"{S}/imports"): RoutePolicy(Kind.RECORD_CREATE),
    ("GET", f"{S}/{{ref}}"): RoutePolicy(Kind.SEIZURE_READ),
    ("PUT", f"{S}/{{ref}}/distribution"): RoutePolicy(Kind.SEIZURE_OWNER),
    ("PUT", f"{S}/{{ref}}/operation"): RoutePolicy(Kind.SEIZURE_OWNER, "and a participant of the operation"),
    # -- entities (the matrix's entity twins: every role, relation and distribution) ---------------
    ("GET", f"{API}/entities"): RoutePolicy(Kind.ENTITY_COLLECTION),
    ("POST", f"{API}/entities"): RoutePolicy(Kind.RECORD_CREATE),
    ("POST", f"{API}/entities/imports"): RoutePolicy(Kind.RECORD_CREATE),
    ("GET", f"{API}/entities/export"): RoutePolicy(Kind.ENTITY_COLLECTION),
    ("GET", f"{API}/entities/{{ref}}"): RoutePolicy(Kind.ENTITY_READ),
    ("PATCH", f"{API}/entities/{{ref}}"): RoutePolicy(Kind.ENTITY_OWNER),
    ("PUT", f"{API}/entities/{{ref}}/distribution"): RoutePolicy(Kind.ENTITY_OWNER),
    # -- cross-check (tests/api/test_crosscheck_api.py: every role, relation and distribution) -------
    ("POST", f"{API}/crosscheck"): RoutePolicy(Kind.CROSSCHECK, "candidates only from visible records"),
    ("GET", f"{API}/crosscheck/notifications"): RoutePolicy(Kind.CROSSCHECK, "the caller agency's own"),
    ("GET", f"{API}/crosscheck/alerts"): RoutePolicy(Kind.CROSSCHECK, "the caller agency's own"),
    ("GET", f"{API}/watchlists"): RoutePolicy(Kind.REFERENCE, "published lists: public data"),
    ("POST", f"{API}/watchlists/imports"): RoutePolicy(Kind.STRUCTURE_ADMIN, "platform admins import lists"),
    ("GET", f"{API}/watchlists/alerts"): RoutePolicy(Kind.CROSSCHECK, "the caller agency's own"),
    ("GET", f"{API}/stats/seizures"): RoutePolicy(Kind.SEIZURE_COLLECTION),
    ("GET", f"{API}/stats/seizures/export"): RoutePolicy(Kind.SEIZURE_COLLECTION),
    ("GET", f"{API}/operations"): RoutePolicy(Kind.OPERATION),
    ("POST", f"{API}/operations"): RoutePolicy(Kind.RECORD_CREATE, "the caller's agency leads"),
    ("GET", f"{API}/operations/{{code}}"): RoutePolicy(Kind.OPERATION),
    ("GET", f"{API}/operations/{{code}}/results"): RoutePolicy(Kind.OPERATION),
    ("PUT", f"{API}/operations/{{code}}/results"): RoutePolicy(Kind.OPERATION, "writer roles of participants"),
    ("GET", f"{API}/onward-requests"): RoutePolicy(Kind.ONWARD_READ),
    ("GET", f"{API}/onward-requests/{{ref}}"): RoutePolicy(Kind.ONWARD_READ),
    ("POST", f"{API}/onward-requests/{{ref}}/decision"): RoutePolicy(Kind.ONWARD_DECIDE),
    # -- requests for information (tests/api/test_rfi_api.py: sides, roles, states, third agencies) -------
    ("POST", f"{API}/rfis"): RoutePolicy(Kind.RFI, "writer roles; the caller's agency asks"),
    ("GET", f"{API}/rfis"): RoutePolicy(Kind.RFI, "the caller agency's own, incoming and outgoing"),
    ("GET", f"{API}/rfis/overdue"): RoutePolicy(Kind.RFI, "supervisors of either agency"),
    ("GET", f"{API}/rfis/{{ref}}"): RoutePolicy(Kind.RFI),
    ("POST", f"{API}/rfis/{{ref}}/acknowledge"): RoutePolicy(Kind.RFI, "recipient's writer roles"),
    ("POST", f"{API}/rfis/{{ref}}/messages"): RoutePolicy(Kind.RFI, "writer roles of either agency"),
    ("POST", f"{API}/rfis/{{ref}}/answer"): RoutePolicy(Kind.RFI, "recipient's writer roles; own records"),
    ("POST", f"{API}/rfis/{{ref}}/decline"): RoutePolicy(Kind.RFI, "recipient's writer roles"),
    ("POST", f"{API}/rfis/{{ref}}/withdraw"): RoutePolicy(Kind.RFI, "requester's writer roles"),
    # -- cases, joint investigations, syndicates (test_authz_matrix.py: test_case_routes_*) -------------
    ("POST", f"{API}/cases"): RoutePolicy(Kind.CASE, "writer roles; the caller's agency owns it"),
    ("GET", f"{API}/cases"): RoutePolicy(Kind.CASE, "owned or taken part in by the caller's agency"),
    ("GET", f"{API}/cases/{{ref}}"): RoutePolicy(Kind.CASE, "links: only records the caller's agency sees"),
    ("PATCH", f"{API}/cases/{{ref}}"): RoutePolicy(Kind.CASE, "owner's writer roles"),
    ("POST", f"{API}/cases/{{ref}}/status"): RoutePolicy(Kind.CASE, "owner's writer roles"),
    ("POST", f"{API}/cases/{{ref}}/participants"): RoutePolicy(Kind.CASE, "owner's writer roles"),
    ("DELETE", f"{API}/cases/{{ref}}/participants/{{agency}}"): RoutePolicy(
        Kind.CASE, "owner's writer roles; a participant's writers for their own agency"),
    ("POST", f"{API}/cases/{{ref}}/links"): RoutePolicy(Kind.CASE, "participants' writer roles; visible records"),
    ("DELETE", f"{API}/cases/{{ref}}/links/{{record}}"): RoutePolicy(
        Kind.CASE, "writer roles of the linking agency or the owner"),
    ("POST", f"{API}/cases/{{ref}}/notes"): RoutePolicy(Kind.CASE, "participants' writer roles"),
    ("POST", f"{API}/cases/{{ref}}/messages"): RoutePolicy(Kind.CASE, "participants' writer roles"),
    ("GET", f"{API}/syndicates"): RoutePolicy(Kind.CASE, "visible entities of visible cases"),
    ("GET", f"{API}/syndicates/{{ref}}"): RoutePolicy(Kind.CASE, "a visible Organization entity"),
    # -- situation monitoring (test_authz_matrix.py: test_indicator_routes_*, test_situation_routes_*) -----
    ("GET", f"{API}/indicators/catalogue"): RoutePolicy(Kind.REFERENCE, "the indicator catalogue"),
    ("GET", f"{API}/indicators/values"): RoutePolicy(Kind.INDICATORS, "published figures: everyone"),
    ("POST", f"{API}/indicators/values"): RoutePolicy(Kind.INDICATORS, "writer roles"),
    ("GET", f"{API}/indicators/values/history"): RoutePolicy(Kind.INDICATORS, "published figures: everyone"),
    ("POST", f"{API}/indicators/imports"): RoutePolicy(Kind.INDICATORS, "writer roles"),
    ("GET", f"{API}/indicators/estimates/opium-heroin"): RoutePolicy(Kind.INDICATORS, "no records"),
    ("GET", f"{API}/signals"): RoutePolicy(Kind.SITUATION, "over exactly the visible seizures"),
    ("POST", f"{API}/signals/publish"): RoutePolicy(
        Kind.SITUATION, "writer roles of current members; only what every member sees"),
    ("GET", f"{API}/situation/report"): RoutePolicy(
        Kind.SITUATION, "visible seizures; a mechanism's report for its current members only"),
    # -- network analysis (test_authz_matrix.py: test_network_routes_hold_exactly_the_visible) --------------
    ("GET", f"{API}/network"): RoutePolicy(Kind.NETWORK, "every role; only visible records are nodes"),
    ("GET", f"{API}/network/path"): RoutePolicy(Kind.NETWORK, "paths through visible nodes only"),
    ("GET", f"{API}/network/ego"): RoutePolicy(Kind.NETWORK, "a visible node; else as if missing"),
    ("GET", f"{API}/network/disrupt"): RoutePolicy(Kind.NETWORK, "visible nodes only"),
    ("POST", f"{API}/network/money"): RoutePolicy(Kind.NETWORK, "reads only; payments between visible nodes"),
    ("GET", f"{API}/network/export"): RoutePolicy(Kind.NETWORK, "visible; others' no-onward records withheld"),
    # -- precursor control (test_authz_matrix.py: test_incident_*, test_pen_*, test_precursor_reference_*) ---
    ("GET", f"{PI}"): RoutePolicy(Kind.INCIDENT_COLLECTION),
    ("POST", f"{PI}"): RoutePolicy(Kind.RECORD_CREATE),
    ("GET", f"{PI}/stats"): RoutePolicy(Kind.INCIDENT_COLLECTION),
    ("GET", f"{PI}/{{ref}}"): RoutePolicy(Kind.INCIDENT_READ),
    ("PUT", f"{PI}/{{ref}}/distribution"): RoutePolicy(Kind.INCIDENT_OWNER),
    ("POST", f"{PN}"): RoutePolicy(Kind.PEN, "writer roles of the exporting country's designated authority"),
    ("GET", f"{PN}"): RoutePolicy(Kind.PEN, "exactly the notifications the agency may see"),
    ("GET", f"{PN}/{{ref}}"): RoutePolicy(Kind.PEN),
    ("GET", f"{PN}/{{ref}}/events"): RoutePolicy(Kind.PEN),
    ("POST", f"{PN}/{{ref}}/answer"): RoutePolicy(Kind.PEN, "the importing authority's writer roles"),
    ("POST", f"{PN}/{{ref}}/information"): RoutePolicy(Kind.PEN, "the exporting authority's writer roles"),
    ("POST", f"{PN}/{{ref}}/shipment"): RoutePolicy(Kind.PEN, "the exporting authority's writer roles"),
    ("POST", f"{PN}/{{ref}}/arrival"): RoutePolicy(Kind.PEN, "the exporting authority's writer roles"),
    ("POST", f"{PN}/{{ref}}/withdrawal"): RoutePolicy(Kind.PEN, "the exporting authority's writer roles"),
    ("PUT", f"{PN}/{{ref}}/distribution"): RoutePolicy(
        Kind.PEN, "writer roles of the exporting authority (widen) and the importing authority (add agencies)"),
    ("POST", f"{PN}/{{ref}}/flags"): RoutePolicy(
        Kind.PEN, "writer roles of the exporting or importing authority: its own flags"),
    ("GET", f"{API}/precursors/authorities"): RoutePolicy(Kind.PRECURSOR_REFERENCE),
    ("PUT", f"{API}/precursors/authorities/{{country}}"): RoutePolicy(Kind.STRUCTURE_ADMIN, "platform admins"),
    ("GET", f"{API}/precursors/rules"): RoutePolicy(Kind.PRECURSOR_REFERENCE, "the caller agency's settings"),
    ("PUT", f"{API}/precursors/rules/{{rule}}"): RoutePolicy(
        Kind.PRECURSOR_REFERENCE, "supervisors and agency admins, for their agency"),
    ("GET", f"{API}/precursors/requirements"): RoutePolicy(Kind.PRECURSOR_REFERENCE),
    ("PUT", f"{API}/precursors/requirements"): RoutePolicy(
        Kind.PRECURSOR_REFERENCE, "writer roles of the country's designated authority; platform admins"),
    ("GET", f"{API}/scheduling/jurisdictions"): RoutePolicy(Kind.PRECURSOR_REFERENCE),
    ("GET", f"{API}/scheduling/statuses"): RoutePolicy(Kind.PRECURSOR_REFERENCE),
    ("POST", f"{API}/scheduling/statuses"): RoutePolicy(
        Kind.PRECURSOR_REFERENCE, "writer roles of an agency of that country; platform admins"),
    ("POST", f"{API}/scheduling/imports"): RoutePolicy(
        Kind.PRECURSOR_REFERENCE, "as above, for every row"),
    ("GET", f"{API}/scheduling/gaps"): RoutePolicy(Kind.PRECURSOR_REFERENCE, "evidence: visible records only"),
    ("GET", f"{API}/scheduling/gaps.csv"): RoutePolicy(Kind.PRECURSOR_REFERENCE, "evidence: visible records only"),
}

def routes_of(*kinds: Kind) -> list[tuple[str, str]]:
    return [key for key, r in POLICY.items() if r.kind in kinds]


def app_route_table(app: Any, prefix: str = API) -> set[tuple[str, str]]:
    """(method, path template) for every route the app serves under ``prefix``, whatever its kind and
    router nesting. (The web pages outside the API have their own tests.)"""
    try:  # FastAPI >= 0.13x keeps included routers lazily; this flattens them
        from fastapi.routing import iter_route_contexts

        routes: Iterable[Any] = list(iter_route_contexts(app.routes))
    except ImportError:  # older FastAPI: app.routes is already flat
        routes = app.routes
    out: set[tuple[str, str]] = set()
    for route in routes:
        path = getattr(route, "path", None)
        methods = getattr(route, "methods", None)
        assert path is not None, f"route without a path: {route!r}"
        if path != prefix and not path.startswith(prefix + "/"):
            continue
        for method in methods or {"WEBSOCKET"}:
            out.add((method, path))
    return out


# -- roles ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Can:
    write: bool = False  # create and change records, ask for onward sharing
    decide: bool = False  # decide onward-sharing requests of the agency's records
    audit: bool = False  # search the agency's part of the audit log
    users: bool = False  # manage the agency's users
    structure: bool = False  # manage agencies, mechanisms, agreements; see every roster; verify the log


ROLE_CAN: dict[str, Can] = {
    "reader": Can(),
    "analyst": Can(write=True),
    "investigator": Can(write=True),
    "liaison_officer": Can(write=True, decide=True),
    "supervisor": Can(write=True, decide=True, audit=True),
    "agency_admin": Can(audit=True, users=True),
    "platform_admin": Can(audit=True, structure=True),
}
ROLES = tuple(ROLE_CAN)

PERMISSIONS: dict[str, set[str]] = {  # what /auth/me lists for each role
    role: {"read_records"}
    | {p for p, on in (("write_records", c.write), ("decide_onward_sharing", c.decide),
                       ("read_audit", c.audit), ("manage_users", c.users),
                       ("manage_structure", c.structure)) if on}
    for role, c in ROLE_CAN.items()
}


# -- relations to the owner agency ------------------------------------------------------------------
class Rel(enum.StrEnum):
    OWNER = "OWN"
    NAMED = "NAMED"  # named in the 'agencies' records; no personal-data agreement with OWN
    NAMED_PD = "NAMED-PD"  # named; bilateral personal-data agreement with OWN
    MEMBER = "MEMBER"  # current member of MEK; only near misses for personal data (see below)
    MEMBER_PD = "MEMBER-PD"  # current member of MEK; personal data through mechanism PAX's agreement
    FORMER = "FORMER"  # left MEK before today
    FORMER_PD = "FORMER-PD"  # left MEK before today; bilateral personal-data agreement with OWN
    OUTSIDER = "OUTSIDER"  # no tie to OWN (a member of QUE, whose personal-data agreement excludes OWN)
    OUTSIDER_PD = "OUTSIDER-PD"  # only a bilateral personal-data agreement with OWN

    @property
    def code(self) -> str:
        return self.value


DISTRIBUTIONS = ("agency", "agencies", "mechanisms", "all")

# Which of OWN's records each relation sees: one column per distribution (agency, agencies, mechanisms,
# all), first without and then with personal data. Written out, not computed from the rule.
#                       no personal data   personal data
VISIBLE: dict[Rel, tuple[str, str]] = {
    Rel.OWNER:          ("YYYY",           "YYYY"),
    Rel.NAMED:          ("-Y-Y",           "----"),
    Rel.NAMED_PD:       ("-Y-Y",           "-Y-Y"),
    Rel.MEMBER:         ("--YY",           "----"),
    Rel.MEMBER_PD:      ("--YY",           "--YY"),
    Rel.FORMER:         ("---Y",           "----"),
    Rel.FORMER_PD:      ("---Y",           "---Y"),
    Rel.OUTSIDER:       ("---Y",           "----"),
    Rel.OUTSIDER_PD:    ("---Y",           "---Y"),
}


def sees(rel: Rel, distribution: str, personal_data: bool) -> bool:
    return VISIBLE[rel][int(personal_data)][DISTRIBUTIONS.index(distribution)] == "Y"


# The pre-export notification test: OWN notifies an export to NAMED's country through MEMBER's; each is
# its country's designated competent authority for precursors. Every other agency is in Thailand.
PEN_COUNTRIES: dict[Rel, str] = {Rel.OWNER: "TH", Rel.NAMED: "LA", Rel.MEMBER: "MM"}

# The structure behind those facts. Dates are ISO strings; "today" is 2026-06-01.
TODAY = "2026-06-01"
MECHANISMS: dict[str, list[tuple[Rel, str, str | None]]] = {  # code -> (member, joined, left)
    "MEK": [
        (Rel.OWNER, "2020-01-01", None),
        (Rel.MEMBER, "2020-01-01", None),
        (Rel.MEMBER_PD, "2020-01-01", None),
        (Rel.FORMER, "2020-01-01", "2026-01-01"),
        (Rel.FORMER_PD, "2020-01-01", "2026-01-01"),
    ],
    "PAX": [  # has a personal-data agreement; MEMBER left it, so its agreement no longer covers MEMBER
        (Rel.OWNER, "2020-01-01", None),
        (Rel.MEMBER_PD, "2020-01-01", None),
        (Rel.MEMBER, "2020-01-01", "2026-03-01"),
    ],
    "QUE": [  # has a personal-data agreement that does not involve OWN
        (Rel.OUTSIDER, "2020-01-01", None),
        (Rel.NAMED, "2020-01-01", None),
    ],
}


@dataclass(frozen=True)
class AgreementFacts:
    title: str
    personal_data: bool
    valid_from: str
    agencies: tuple[Rel, Rel] | None = None
    mechanism: str | None = None


AGREEMENTS: tuple[AgreementFacts, ...] = (
    AgreementFacts("AGR-OWN-NAMED-PD", True, "2020-01-01", agencies=(Rel.OWNER, Rel.NAMED_PD)),
    AgreementFacts("AGR-OWN-FORMER-PD", True, "2020-01-01", agencies=(Rel.OWNER, Rel.FORMER_PD)),
    AgreementFacts("AGR-OWN-OUTSIDER-PD", True, "2020-01-01", agencies=(Rel.OWNER, Rel.OUTSIDER_PD)),
    AgreementFacts("AGR-OWN-MEMBER-NOPD", False, "2020-01-01", agencies=(Rel.OWNER, Rel.MEMBER)),
    AgreementFacts("AGR-OWN-MEMBER-FUTURE", True, "2027-01-01", agencies=(Rel.OWNER, Rel.MEMBER)),
    AgreementFacts("AGR-PAX-PD", True, "2020-01-01", mechanism="PAX"),
    AgreementFacts("AGR-QUE-PD", True, "2020-01-01", mechanism="QUE"),
    AgreementFacts("AGR-MEK-NOPD", False, "2020-01-01", mechanism="MEK"),
)

# GET /mechanisms for a user who is not a platform admin: the agency's current mechanisms.
CURRENT_MECHANISMS: dict[Rel, set[str]] = {
    Rel.OWNER: {"MEK", "PAX"},
    Rel.NAMED: {"QUE"},
    Rel.NAMED_PD: set(),
    Rel.MEMBER: {"MEK"},
    Rel.MEMBER_PD: {"MEK", "PAX"},
    Rel.FORMER: set(),
    Rel.FORMER_PD: set(),
    Rel.OUTSIDER: {"QUE"},
    Rel.OUTSIDER_PD: set(),
}
# ... and the roster a member is shown: current members only (platform admins see everyone, with dates).
CURRENT_ROSTER: dict[str, set[Rel]] = {
    "MEK": {Rel.OWNER, Rel.MEMBER, Rel.MEMBER_PD},
    "PAX": {Rel.OWNER, Rel.MEMBER_PD},
    "QUE": {Rel.OUTSIDER, Rel.NAMED},
}
# GET /agreements for a user who is not a platform admin: the agency's bilateral agreements and those
# of its current mechanisms.
AGREEMENTS_SEEN: dict[Rel, set[str]] = {
    Rel.OWNER: {"AGR-OWN-NAMED-PD", "AGR-OWN-FORMER-PD", "AGR-OWN-OUTSIDER-PD", "AGR-OWN-MEMBER-NOPD",
                "AGR-OWN-MEMBER-FUTURE", "AGR-PAX-PD", "AGR-MEK-NOPD"},
    Rel.NAMED: {"AGR-QUE-PD"},
    Rel.NAMED_PD: {"AGR-OWN-NAMED-PD"},
    Rel.MEMBER: {"AGR-OWN-MEMBER-NOPD", "AGR-OWN-MEMBER-FUTURE", "AGR-MEK-NOPD"},
    Rel.MEMBER_PD: {"AGR-PAX-PD", "AGR-MEK-NOPD"},
    Rel.FORMER: set(),
    Rel.FORMER_PD: {"AGR-OWN-FORMER-PD"},
    Rel.OUTSIDER: {"AGR-QUE-PD"},
    Rel.OUTSIDER_PD: {"AGR-OWN-OUTSIDER-PD"},
}


# -- expected answers for one record route ----------------------------------------------------------
ALLOWED = 0  # the call passes authorization: 200 for a read, the probe's own answer for a write
OWNER_REFUSED = -1  # onward sharing asked by the owner: 422 without field errors


def record_route_outcome(kind: Kind, role: str, visible: bool, owner: bool) -> int:
    """404, 403, ALLOWED or OWNER_REFUSED for a caller on a record route, by the route's kind."""
    if not visible:
        return 404
    can = ROLE_CAN[role]
    if kind in (Kind.RECORD_READ, Kind.SEIZURE_READ, Kind.ENTITY_READ, Kind.INCIDENT_READ):
        return ALLOWED
    if kind in (Kind.RECORD_OWNER, Kind.SEIZURE_OWNER, Kind.ENTITY_OWNER, Kind.INCIDENT_OWNER):
        return ALLOWED if owner and can.write else 403
    if kind is Kind.RECORD_ONWARD:
        if owner:
            return OWNER_REFUSED
        return ALLOWED if can.write else 403
    raise AssertionError(f"{kind} is not a record route")
