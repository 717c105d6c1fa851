"""FtM entities as shared records (services/entities.py), on SQLite and PostgreSQL: every supported
schema, refusals that write nothing, keys rewritten on update, FtM import/export round trip and
idempotent re-import, and the cross-check with its blind hits, which must say nothing about a record
the caller may not see but the owner agency's code."""

from __future__ import annotations

import json
from typing import Any

import pytest
from followthemoney import model
from sqlalchemy import func, select

from interdict.domain.errors import BadInputError, ForbiddenError
from interdict.services.entities import EntityDraft, EntityService
from interdict.services.entity_crosscheck import BlindHit, CrosscheckResult
from interdict.services.entity_rules import query_subject
from interdict.services.sharing import DistributionRequest
from interdict.store.audit import AuditRow
from interdict.store.entities import CrosscheckNotification, Entity, EntityKey
from tests.factories import Person, World

SAMPLES: dict[str, dict[str, list[str]]] = {
    "Person": {
        "name": ["Zhang Wei"],
        "birthDate": ["1980-01-02"],
        "nationality": ["cn"],
        "phone": ["138 0013 8000"],
        "email": ["Zhang.Wei@Example.COM"],
        "passportNumber": ["E1234 5678"],
    },
    "Organization": {"name": ["Golden Triangle Logistics"], "country": ["th"], "phone": ["02 123 4567"]},
    "Company": {"name": ["Mekong Trading Co"], "registrationNumber": ["0105-561234567"], "country": ["th"]},
    "LegalEntity": {"name": ["Shell Holder Ltd"], "taxNumber": ["DE 136 695 976"]},
    "BankAccount": {"iban": ["GB82 WEST 1234 5698 7654 32"], "accountNumber": ["1234-5678"]},
    "CryptoWallet": {"publicKey": ["1BoatSLRHtKNngkdXEeobR76b53LETtpyT"], "currencySymbol": ["BTC"]},
    "Vehicle": {"registrationNumber": ["ABC 1234"], "name": ["Toyota Hilux"]},
    "Vessel": {"imoNumber": ["IMO 9074729"], "name": ["Ocean Star"]},
    "Address": {"full": ["12 Sukhumvit Road, Bangkok 10110"], "country": ["th"]},
    "Identification": {"number": ["110101199003074477"], "country": ["cn"], "holder": ["p1"]},
    "Passport": {"number": ["E12345678"], "holder": ["p1"]},
    "Associate": {"person": ["p1"], "associate": ["p2"], "relationship": ["business partner"]},
    "Family": {"person": ["p1"], "relative": ["p2"], "relationship": ["brother"]},
    "Membership": {"member": ["p1"], "organization": ["o1"], "role": ["courier"]},
    "Directorship": {"director": ["p1"], "organization": ["o1"], "role": ["director"]},
    "Employment": {"employee": ["p1"], "employer": ["o1"], "role": ["driver"]},
    "Ownership": {"owner": ["p1"], "asset": ["c1"], "role": ["shareholder"]},
    "Payment": {"payer": ["p1"], "beneficiary": ["c1"], "amount": ["1000"], "currency": ["USD"]},
    "UnknownLink": {"subject": ["p1"], "object": ["p2"], "role": ["phone call"]},
}
# What the write stores for the identifier properties above (normalised).
NORMALISED = {
    ("Person", "phone"): ["+8613800138000"],
    ("Person", "email"): ["zhang.wei@example.com"],
    ("Person", "passportNumber"): ["E12345678"],
    ("Organization", "phone"): ["+6621234567"],
    ("BankAccount", "iban"): ["GB82WEST12345698765432"],
    ("Vessel", "imoNumber"): ["9074729"],
}


@pytest.fixture
def svc(world: World) -> EntityService:
    return EntityService(world.p.audit)


@pytest.fixture
def two(world: World) -> tuple[str, str, Person, Person]:
    a, b = world.agency("CN-ENT", country="CN"), world.agency("TH-ENT")
    return a, b, world.user(a), world.user(b)


def create(world: World, svc: EntityService, person: Person, schema: str, props: dict[str, Any],
           **kw: Any) -> tuple[str, str]:
    with world.p.db.unit() as s:
        e = svc.create(s, world.actor(person), EntityDraft(schema, props, **kw))
        return e.uuid, e.ftm_id


def count(world: World, model_: Any) -> int:
    with world.p.db.unit() as s:
        return int(s.scalar(select(func.count()).select_from(model_)) or 0)


def keys_of(world: World, ref: str) -> set[str]:
    with world.p.db.unit() as s:
        return set(s.scalars(select(EntityKey.key).join(Entity, Entity.id == EntityKey.entity_id)
                             .where(Entity.uuid == ref)))


def check(world: World, svc: EntityService, person: Person, **query: Any) -> CrosscheckResult:
    opts = {k: query.pop(k) for k in ("key_cap", "threshold", "limit") if k in query}
    with world.p.db.unit() as s:
        return svc.crosscheck(s, world.actor(person), query_subject(**query), **opts)


# -- create ----------------------------------------------------------------------------------------------


def test_every_schema_is_created_with_normalised_identifiers_and_keys(
    world: World, svc: EntityService, two: tuple[str, str, Person, Person]
) -> None:
    _, _, a, _ = two
    refs = {schema: create(world, svc, a, schema, props) for schema, props in SAMPLES.items()}
    with world.p.db.unit() as s:
        stored = {e.schema: e for e in s.scalars(select(Entity))}
        assert set(stored) == set(SAMPLES)
        for (schema, prop), values in NORMALISED.items():
            assert stored[schema].properties[prop] == values, (schema, prop)
        person = stored["Person"]
        assert person.caption == "Zhang Wei" and person.contains_personal_data and person.distribution == "agency"
        assert person.ftm_id == person.uuid  # no id given: the record's uuid
        assert not stored["Company"].contains_personal_data
        assert stored["UnknownLink"].properties["role"] == ["phone call"]
        audited = set(s.scalars(select(AuditRow.object_uuid).where(AuditRow.action == "record.create")))
    assert {ref for ref, _ in refs.values()} <= audited
    person_keys = keys_of(world, refs["Person"][0])
    assert {"i:phone:+8613800138000", "i:passport:E12345678", "i:email:zhang.wei@example.com"} <= person_keys
    assert "b:19800102" in person_keys
    assert "i:imo:9074729" in keys_of(world, refs["Vessel"][0])
    assert keys_of(world, refs["Ownership"][0]) == set()  # a link has nothing to match on


@pytest.mark.parametrize(("schema", "props", "words"), [
    ("Person", {"name": ["X"], "favouriteColour": ["red"]}, ["favouriteColour", "Person"]),
    ("Person", {"name": ["X"], "phone": ["+86 123"]}, ["phone '+86 123'", "not a valid phone number"]),
    ("Person", {"name": ["X"], "phone": ["13800138000"]}, ["phone '13800138000'", "local format"]),
    ("Person", {"name": ["X"], "birthDate": ["31.02.x"]}, ["birthDate '31.02.x'", "date"]),
    ("Person", {"name": ["X"], "ownershipOwner": ["o1"]}, ["ownershipOwner", "reverse side"]),
    ("Vessel", {"name": ["X"], "imoNumber": ["IMO 9074728"]}, ["imoNumber", "9074728"]),
    ("Sanction", {"entity": ["x"]}, ["Sanction", "not supported"]),
], ids=["unknown-property", "bad-phone", "local-phone-no-country", "bad-date", "reverse-link", "bad-imo",
        "unsupported-schema"])
def test_bad_entity_is_refused_naming_property_and_value_and_writes_nothing(
    world: World, svc: EntityService, two: tuple[str, str, Person, Person], schema: str,
    props: dict[str, list[str]], words: list[str],
) -> None:
    _, _, a, _ = two
    audit_rows = count(world, AuditRow)
    with pytest.raises(BadInputError) as err:
        create(world, svc, a, schema, props)
    for word in words:
        assert word in err.value.detail
    assert count(world, Entity) == 0 and count(world, EntityKey) == 0
    assert count(world, AuditRow) == audit_rows


def test_reader_may_not_create(world: World, svc: EntityService, two: tuple[str, str, Person, Person]) -> None:
    reader = world.user(two[0], "reader")
    with pytest.raises(ForbiddenError):
        create(world, svc, reader, "Person", {"name": ["X"]})


def test_keys_are_rewritten_on_update_by_the_owner_only(
    world: World, svc: EntityService, two: tuple[str, str, Person, Person]
) -> None:
    _, _, a, b = two
    ref, _ = create(world, svc, a, "Person", {"name": ["Li Na"], "phone": ["+86 138 0013 8000"]},
                    distribution=DistributionRequest("all"), contains_personal_data=False)
    assert "i:phone:+8613800138000" in keys_of(world, ref)
    with world.p.db.unit() as s:
        e = svc.update(s, world.actor(a), ref, {"name": ["Li Na"], "phone": ["+86 139 0000 0001"]}, 1)
        assert e.version == 2 and e.properties["phone"] == ["+8613900000001"]
    after = keys_of(world, ref)
    assert "i:phone:+8613900000001" in after and "i:phone:+8613800138000" not in after
    with pytest.raises(ForbiddenError), world.p.db.unit() as s:
        svc.update(s, world.actor(b), ref, {"name": ["Someone else"]}, 2)
    with pytest.raises(BadInputError), world.p.db.unit() as s:
        svc.update(s, world.actor(a), ref, {"name": ["Li Na"], "phone": ["+86 1"]}, 2)
    assert keys_of(world, ref) == after


# -- FtM import and export -------------------------------------------------------------------------------


def ftm_lines(*entities: dict[str, Any]) -> bytes:
    return ("\n".join(json.dumps(e, ensure_ascii=False) for e in entities) + "\n").encode()


def ftm(eid: str, schema: str, **props: list[str]) -> dict[str, Any]:
    proxy = model.make_entity(schema)
    proxy.id = eid
    for k, values in props.items():
        for v in values:
            proxy.add(k, v)
    return proxy.to_dict()


FILE = [
    ftm("p1", "Person", name=["Zhang Wei"], birthDate=["1980-01-02"], phone=["+8613800138000"],
        nationality=["cn"]),
    ftm("c1", "Company", name=["Mekong Trading Co"], country=["th"]),
    ftm("o1", "Ownership", owner=["p1"], asset=["c1"], role=["shareholder"]),
    ftm("w1", "CryptoWallet", publicKey=["1BoatSLRHtKNngkdXEeobR76b53LETtpyT"]),
]


def do_import(world: World, svc: EntityService, person: Person, data: bytes, dist: str = "agency",
              **kw: Any) -> Any:
    with world.p.db.unit() as s:
        return svc.import_ftm(s, world.actor(person), data, DistributionRequest(dist, **kw), filename="f.ftm")


def export(world: World, svc: EntityService, person: Person) -> tuple[list[dict[str, Any]], int]:
    with world.p.db.unit() as s:
        out = svc.export_ftm(s, world.actor(person))
        lines = [json.loads(line) for line in out]
        return lines, out.withheld


def test_import_export_round_trip_and_reimport_is_idempotent(
    world: World, svc: EntityService, two: tuple[str, str, Person, Person]
) -> None:
    _, _, a, _ = two
    first = do_import(world, svc, a, ftm_lines(*FILE))
    assert (first.created, first.updated, first.unchanged) == (4, 0, 0)
    lines, withheld = export(world, svc, a)
    assert withheld == 0
    assert sorted(lines, key=lambda e: e["id"]) == sorted(FILE, key=lambda e: e["id"])
    # The export, imported again, and the same file again: nothing new.
    again = do_import(world, svc, a, ftm_lines(*lines))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert count(world, Entity) == 4
    changed = [*FILE[:3], ftm("w1", "CryptoWallet", publicKey=["1BoatSLRHtKNngkdXEeobR76b53LETtpyT"],
                              currencySymbol=["BTC"])]
    third = do_import(world, svc, a, ftm_lines(*changed))
    assert (third.created, third.updated, third.unchanged) == (0, 1, 3)
    assert count(world, Entity) == 4
    with world.p.db.unit() as s:
        assert s.scalar(select(func.count()).select_from(AuditRow).where(AuditRow.action == "entity.import")) == 3
        wallet = s.scalars(select(Entity).where(Entity.ftm_id == "w1")).one()
        assert wallet.version == 2 and wallet.source.startswith("import:")


def test_fragments_of_one_entity_are_merged(
    world: World, svc: EntityService, two: tuple[str, str, Person, Person]
) -> None:
    _, _, a, _ = two
    out = do_import(world, svc, a, ftm_lines(ftm("p9", "Person", name=["Wang Fang"]),
                                             ftm("p9", "Person", phone=["+8613800138000"])))
    assert out.created == 1
    with world.p.db.unit() as s:
        e = s.scalars(select(Entity).where(Entity.ftm_id == "p9")).one()
        assert e.properties == {"name": ["Wang Fang"], "phone": ["+8613800138000"]}


def test_a_bad_line_refuses_the_whole_file_naming_the_line(
    world: World, svc: EntityService, two: tuple[str, str, Person, Person]
) -> None:
    _, _, a, _ = two
    data = ftm_lines(FILE[0], FILE[1]) + b'{"id": "x1", "schema": "Person", "properties": {"shoeSize": ["44"]}}\n'
    data += b"not json\n" + ftm_lines({"id": "x2", "schema": "Starship", "properties": {}})
    with pytest.raises(BadInputError) as err:
        do_import(world, svc, a, data)
    errors = err.value.errors
    assert "shoeSize" in errors["line 3"] and "Person" in errors["line 3"]
    assert "not JSON" in errors["line 4"] and "Starship" in errors["line 5"]
    assert "line 1" not in errors and "3 line(s) refused" in err.value.detail
    assert count(world, Entity) == 0 and count(world, EntityKey) == 0


def test_export_namespaces_other_agencies_and_withholds_no_onward_sharing(
    world: World, svc: EntityService, two: tuple[str, str, Person, Person]
) -> None:
    a_code, b_code, a, b = two
    do_import(world, svc, b, ftm_lines(FILE[1], FILE[2]), "agencies", agencies=[a_code])
    do_import(world, svc, b, ftm_lines(ftm("k1", "Company", name=["Kept Co"])), "all",
              handling_conditions=["no_onward_sharing"])
    do_import(world, svc, b, ftm_lines(ftm("h1", "Company", name=["Hidden Co"])), "agency")
    lines, withheld = export(world, svc, a)
    assert withheld == 1
    ids = {e["id"]: e for e in lines}
    assert set(ids) == {f"{b_code}.c1", f"{b_code}.o1"}
    assert ids[f"{b_code}.o1"]["properties"]["owner"] == [f"{b_code}.p1"]
    own, _ = export(world, svc, b)
    assert {e["id"] for e in own} == {"c1", "o1", "k1", "h1"}


# -- cross-check -----------------------------------------------------------------------------------------


def test_crosscheck_meets_a_name_in_three_scripts_and_a_phone_in_two_formats(
    world: World, svc: EntityService, two: tuple[str, str, Person, Person]
) -> None:
    _, _, a, b = two
    latin, _ = create(world, svc, a, "Person", {"name": ["Zhang Wei"], "phone": ["138 0013 8000"], "country": ["cn"]})
    cyrillic, _ = create(world, svc, b, "Person", {"name": ["Чжан Вэй"], "phone": ["+86 138-0013-8000"]},
                         distribution=DistributionRequest("all"), contains_personal_data=False)
    create(world, svc, b, "Person", {"name": ["Somchai Jaidee"], "phone": ["+66 81 234 5678"]},
           distribution=DistributionRequest("all"), contains_personal_data=False)
    result = check(world, svc, a, names=["张伟"], identifiers=[("phone", "+86 138 0013 8000")])
    assert [c.ref for c in result.candidates] == sorted([latin, cyrillic])
    for c in result.candidates:
        assert c.score > 0.99 and "phone identical" in c.explanation and "transliteration" in c.explanation
    owners = {c.ref: c.owner_agency for c in result.candidates}
    assert owners == {latin: two[0], cyrillic: two[1]}
    assert result.blind_hits == [] and result.notes == []
    with world.p.db.unit() as s:
        reads = list(s.scalars(select(AuditRow).where(AuditRow.action == "record.read")))
        assert [(r.object_uuid, json.loads(r.detail)["via"]) for r in reads] == [(cyrillic, "crosscheck")]
        assert s.scalar(select(func.count()).select_from(AuditRow).where(AuditRow.action == "crosscheck.query")) == 1


def _serialised(result: CrosscheckResult) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False)


def test_blind_hit_names_only_the_owner_agency_and_notifies_it(
    world: World, svc: EntityService, two: tuple[str, str, Person, Person]
) -> None:
    a_code, b_code, a, b = two
    hidden = [
        create(world, svc, b, "Person", {"name": ["Zhang Wei"], "phone": ["+86 138 0013 8000"],
                                         "notes": ["informant ALPHA"]}),
        # personal data shared with A, but no agreement allows it: still not visible to A
        create(world, svc, b, "Person", {"name": ["Zhang Wei"], "phone": ["+86 138 0013 8000"]},
               distribution=DistributionRequest("agencies", [a_code]), contains_personal_data=True),
    ]
    result = check(world, svc, a, names=["张伟"], identifiers=[("phone", "+8613800138000")])
    assert result.candidates == [] and result.notes == []
    assert result.blind_hits == [BlindHit(b_code, f"a record at agency {b_code} matches — request it")]
    text = _serialised(result)
    for ref, ftm_id in hidden:
        assert ref not in text and ftm_id not in text
    for leaked in ("Zhang Wei", "informant", "score", "0.9", "2", "+86"):
        assert leaked not in text, leaked
    # (list_hits: published watch lists only, none loaded here)
    assert set(result.to_dict()) == {"candidates", "blind_hits", "notes", "list_hits"} and result.list_hits == []
    assert set(result.to_dict()["blind_hits"][0]) == {"agency_code", "message"}
    a_id, b_id = world.agency_id(a_code), world.agency_id(b_code)
    with world.p.db.unit() as s:
        notes = list(s.scalars(select(CrosscheckNotification)))
        ids = dict(s.execute(select(Entity.uuid, Entity.id)).all())
        assert sorted(n.entity_id for n in notes) == sorted(ids[r] for r, _ in hidden)
        assert {(n.owner_agency_id, n.requester_agency_id, n.requested_by_id) for n in notes} == {
            (b_id, a_id, a.user_id)}
        assert all(n.seen_at is None for n in notes)
        hits = list(s.scalars(select(AuditRow).where(AuditRow.action == "crosscheck.blind_hit")))
        assert sorted(h.object_uuid or "" for h in hits) == sorted(r for r, _ in hidden)
        assert {h.object_owner for h in hits} == {b_code}


def test_a_lower_threshold_does_not_lower_the_owners(
    world: World, svc: EntityService, two: tuple[str, str, Person, Person]
) -> None:
    a_code, _, a, b = two
    create(world, svc, b, "Person", {"name": ["Zhang Wei"], "phone": ["+86 138 0013 8000"]})
    shared, _ = create(world, svc, b, "Person", {"name": ["Zhang Wei"], "phone": ["+86 139 0000 0001"]},
                       distribution=DistributionRequest("agencies", [a_code]), contains_personal_data=False)
    weak = check(world, svc, a, names=["张伟"], threshold=0.0)  # a name alone scores well under 0.5
    assert [c.ref for c in weak.candidates] == [shared] and weak.candidates[0].score < 0.5
    assert weak.blind_hits == [] and count(world, CrosscheckNotification) == 0


def test_no_hit_notification_leaves_no_trace(
    world: World, svc: EntityService, two: tuple[str, str, Person, Person]
) -> None:
    _, _, a, b = two
    create(world, svc, b, "Person", {"name": ["Zhang Wei"], "phone": ["+86 138 0013 8000"]},
           hit_notification=False)
    result = check(world, svc, a, names=["张伟"], identifiers=[("phone", "+8613800138000")])
    assert result == CrosscheckResult([], [], [])
    assert count(world, CrosscheckNotification) == 0
    with world.p.db.unit() as s:
        assert s.scalar(select(func.count()).select_from(AuditRow)
                        .where(AuditRow.action == "crosscheck.blind_hit")) == 0


def test_shared_entity_is_a_full_candidate_and_no_blind_hit(
    world: World, svc: EntityService, two: tuple[str, str, Person, Person]
) -> None:
    a_code, b_code, a, b = two
    ref, _ = create(world, svc, b, "Person", {"name": ["Zhang Wei"], "phone": ["+86 138 0013 8000"]},
                    distribution=DistributionRequest("agencies", [a_code]), contains_personal_data=False)
    result = check(world, svc, a, names=["张伟"], identifiers=[("phone", "+8613800138000")])
    assert [(c.ref, c.caption, c.schema, c.owner_agency) for c in result.candidates] == [
        (ref, "Zhang Wei", "Person", b_code)]
    assert result.blind_hits == [] and count(world, CrosscheckNotification) == 0
    # The owner's own record is always visible to it.
    own = check(world, svc, b, names=["Zhang Wei"], identifiers=[("phone", "+8613800138000")])
    assert [c.ref for c in own.candidates] == [ref]


def test_too_common_key_is_reported_not_scanned(
    world: World, svc: EntityService, two: tuple[str, str, Person, Person]
) -> None:
    _, _, a, b = two
    for n in range(3):
        create(world, svc, b, "Person", {"name": ["Li Na"], "phone": [f"+86 138 0013 800{n}"]},
               distribution=DistributionRequest("all"), contains_personal_data=False)
    result = check(world, svc, a, names=["Li Na"], key_cap=2)
    assert result.candidates == [] and result.blind_hits == []
    assert result.notes and all("is too common to use (more than 2 records" in n for n in result.notes)
    assert any(n.startswith("key nf:") for n in result.notes)
    # With a phone too, the rare key still finds its record.
    found = check(world, svc, a, names=["Li Na"], identifiers=[("phone", "+86 138 0013 8001")], key_cap=2)
    assert len(found.candidates) == 1 and "phone identical" in found.candidates[0].explanation
    assert any("too common" in note for note in found.notes)


def test_query_values_are_checked(world: World, svc: EntityService, two: tuple[str, str, Person, Person]) -> None:
    with pytest.raises(BadInputError, match="phone '12'"):
        query_subject(names=["X"], identifiers=[("phone", "12")], country="CN")
    with pytest.raises(BadInputError, match="nothing to match"):
        query_subject()
    with pytest.raises(BadInputError, match="Atlantis"):
        query_subject(names=["X"], nationalities=["Atlantis"])
    subject = query_subject(names=["Zhang Wei"], nationalities=["China"], identifiers=[("phone", "138 0013 8000")])
    assert subject.identifiers == {"phone": frozenset({"+8613800138000"})} and subject.nationalities == {"cn"}
