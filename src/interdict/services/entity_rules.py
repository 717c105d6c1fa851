"""What an FtM entity must be to be stored, and what the matching engine sees of it. No database here.

**Checking.** :func:`check_entity` takes a schema name, an FtM property map and optionally an FtM id,
and either returns a :class:`CheckedEntity` (the properties as FollowTheMoney cleans them, the caption
FtM gives) or raises :class:`EntityError` naming every problem: a schema outside :data:`SCHEMATA`, an
unknown property (named with its schema), the reverse side of a link (``ownershipOwner`` is set on the
Ownership, not on the Person), a value FtM refuses ("birthDate '31.02' is not a valid date"; FtM would
drop it silently), an id FtM would not accept. FollowTheMoney is the authority on schemata, properties
and value types; nothing about them is repeated here.

**Identifiers.** The properties of :data:`ID_PROPERTIES` are normalised on write with
``interdict.domain.identifiers.normalise`` and stored in that form (E.164 phones, lower-case e-mail,
compact passports ...), so that two agencies writing one phone differently hold the same value. A phone
in local format takes its country from the entity's ``country``, then ``nationality``, then
``jurisdiction``; none that reads it is an error. A value that cannot be normalised is refused with the
property and the value ("phone '+86 123' is not a valid phone number"). Kinds: ``registrationNumber``
is a ``plate`` on a Vehicle and a ``registration`` elsewhere; registrations have no normaliser of their
own and are compacted as identity numbers without a country are.

**Subjects.** :func:`subject_of` builds the matching engine's ``Subject`` from stored properties (names
from ``name``, ``alias`` and ``firstName`` + ``lastName``; birth dates; nationalities from
``nationality``, else ``country``; identifiers by kind; the first address), and :func:`entity_keys` its
blocking keys as stored in ``entity_keys`` (:func:`stored_key` digests the rare key longer than the
column). :func:`query_subject` builds a cross-check query from what a user types, with the same
normalisation as on write, so the query meets the stored keys.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from followthemoney import model, registry

from interdict.domain.errors import BadInputError
from interdict.domain.identifiers import IdentifierError, normalise, normalise_country
from interdict.domain.matching import Subject, parse_birth_date, subject_keys
from interdict.store.entities import KEY_LENGTH

__all__ = [
    "ID_PROPERTIES",
    "SCHEMATA",
    "CheckedEntity",
    "EntityError",
    "check_entity",
    "entity_keys",
    "id_kind",
    "query_subject",
    "stored_key",
    "subject_of",
]

NODE_SCHEMATA: tuple[str, ...] = (
    "Person",
    "Organization",
    "Company",
    "LegalEntity",
    "BankAccount",
    "CryptoWallet",
    "Vehicle",
    "Vessel",
    "Address",
    "Identification",
    "Passport",
)
# Links. Communication links and shipments are UnknownLinks whose ``role`` names the kind of link.
LINK_SCHEMATA: tuple[str, ...] = (
    "Associate",
    "Family",
    "Membership",
    "Directorship",
    "Employment",
    "Ownership",
    "Payment",
    "UnknownLink",
)
SCHEMATA: tuple[str, ...] = NODE_SCHEMATA + LINK_SCHEMATA

# FtM property -> identifier kind of ``domain.identifiers`` (and of the matching engine).
ID_PROPERTIES: Mapping[str, str] = {
    "phone": "phone",
    "email": "email",
    "passportNumber": "passport",
    "idNumber": "national_id",
    "taxNumber": "tax_id",
    "iban": "iban",
    "accountNumber": "bank_account",
    "imoNumber": "imo",
    "registrationNumber": "registration",
    "publicKey": "crypto",
    "cryptoAddress": "crypto",
    "number": "national_id",
}
# Where the kind depends on the schema.
_SCHEMA_KINDS: Mapping[tuple[str, str], str] = {
    ("Vehicle", "registrationNumber"): "plate",
    ("Passport", "number"): "passport",
}
# Kinds with no normaliser of their own, and the one that compacts them.
_NORMALISED_AS: Mapping[str, str] = {"registration": "national_id"}
_COUNTRY_PROPERTIES = ("country", "nationality", "jurisdiction")
MAX_VALUE_LENGTH = 65_536
MAX_VALUES = 1_000
PERSONAL_SCHEMATA = frozenset({"Person", "Passport", "Identification", "Associate", "Family", "Employment"})


class EntityError(BadInputError):
    """An entity that cannot be stored; ``errors`` maps the property (or ``schema``, ``id``) to why."""


@dataclass(frozen=True)
class CheckedEntity:
    schema: str
    properties: dict[str, list[str]]
    caption: str
    ftm_id: str | None


def id_kind(schema: str, prop: str) -> str | None:
    """The identifier kind of an FtM property of ``schema``, None for a property that is no identifier."""
    return _SCHEMA_KINDS.get((schema, prop), ID_PROPERTIES.get(prop))


def _values(raw: Any) -> list[str] | None:
    """A property's values as strings (a lone string is one value); None when they are not strings."""
    items = [raw] if isinstance(raw, str | int | float) and not isinstance(raw, bool) else raw
    if not isinstance(items, list | tuple):
        return None
    out = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            return None
        text = str(item).strip()
        if text:
            out.append(text)
    return out


def _shown(value: str) -> str:
    return repr(value if len(value) <= 80 else value[:79] + "…")


def _normalised(kind: str, raw: str, countries: Sequence[str]) -> str:
    """``raw`` normalised as ``kind``; a local phone number is read in each country of the entity in
    turn. Raises the IdentifierError of the first reading."""
    real = _NORMALISED_AS.get(kind, kind)
    if real != "phone" or not countries:
        return normalise(real, raw).value
    first: IdentifierError | None = None
    for country in countries:
        try:
            return normalise("phone", raw, country=country).value
        except IdentifierError as exc:
            if exc.field == "country":  # an FtM territory the identifier module does not know
                continue
            first = first or exc
    if first is None:
        return normalise("phone", raw).value
    raise first


def check_entity(schema_name: Any, properties: Any, ftm_id: Any = None) -> CheckedEntity:
    """Validate and clean one entity (see the module docstring). Raises EntityError naming every problem."""
    errors: dict[str, str] = {}
    if not isinstance(schema_name, str) or schema_name not in SCHEMATA:
        raise EntityError(
            f"schema {schema_name!r} is not supported: expected one of {', '.join(SCHEMATA)}",
            {"schema": "not supported"},
        )
    schema = model.get(schema_name)
    assert schema is not None
    if ftm_id is not None and (
        not isinstance(ftm_id, str) or len(ftm_id) > 200 or registry.entity.clean(ftm_id) != ftm_id
    ):
        errors["id"] = (
            f"id {ftm_id!r} is not a valid FtM entity id: expected up to 200 letters, digits, '.' and '-'"
        )
    if not isinstance(properties, Mapping):
        raise EntityError(
            "'properties' must be an object of lists of strings", {"properties": "not an object"}
        )
    proxy = model.make_entity(schema_name)
    proxy.id = ftm_id if isinstance(ftm_id, str) and "id" not in errors else "unsaved"
    identifiers: list[tuple[str, str, list[str]]] = []
    for name, raw in properties.items():
        prop = schema.get(name) if isinstance(name, str) else None
        if prop is None:
            errors[str(name)] = f"unknown property {name!r} for schema {schema_name}"
            continue
        if prop.stub:
            errors[name] = (
                f"property {name!r} of schema {schema_name} is the reverse side of a link: set it on the link"
            )
            continue
        values = _values(raw)
        if values is None:
            errors[name] = f"{name}: expected a string or a list of strings"
            continue
        if len(values) > MAX_VALUES or any(len(v) > MAX_VALUE_LENGTH for v in values):
            errors[name] = f"{name}: at most {MAX_VALUES} values of at most {MAX_VALUE_LENGTH} characters"
            continue
        kind = id_kind(schema_name, name)
        if kind is not None:
            identifiers.append((name, kind, values))
            continue
        for value in values:
            cleaned = prop.type.clean(value, proxy=proxy)
            if cleaned is None:
                errors[name] = f"{name} {_shown(value)} is not a valid {str(prop.type.label).lower()}"
                break
            proxy.add(prop, cleaned, cleaned=True)
    countries = [c for p in _COUNTRY_PROPERTIES if schema.get(p) for c in proxy.get(p)]
    for name, kind, values in identifiers:
        for value in values:
            try:
                proxy.add(name, _normalised(kind, value, countries), cleaned=True)
            except IdentifierError as exc:
                message = exc.message if exc.message.startswith(f"{name} ") else f"{name}: {exc.message}"
                if kind == "phone" and not countries and "local format" in message:
                    message += " (the entity has no country or nationality to read it in)"
                errors[name] = message
                break
    if errors:
        raise EntityError(f"the {schema_name} entity is not valid: " + "; ".join(errors.values()), errors)
    data = proxy.to_dict()
    return CheckedEntity(
        schema=schema_name,
        properties={k: list(v) for k, v in data["properties"].items()},
        caption=str(proxy.caption or schema_name)[:500],
        ftm_id=ftm_id if isinstance(ftm_id, str) else None,
    )


def _first_last(properties: Mapping[str, Sequence[str]]) -> list[str]:
    firsts, lasts = properties.get("firstName", [])[:3], properties.get("lastName", [])[:3]
    if firsts and lasts:
        return [f"{f} {last}" for f in firsts for last in lasts]
    return list(firsts or lasts) if not properties.get("name") else []


def subject_of(ref: str, schema: str, properties: Mapping[str, Sequence[str]]) -> Subject:
    """The matching engine's view of a stored entity (identifier values are stored normalised)."""
    names = [*properties.get("name", []), *properties.get("alias", []), *_first_last(properties)]
    if schema == "Address":
        names = []
    births = list(properties.get("birthDate", []))
    nationalities = properties.get("nationality") or properties.get("country") or []
    identifiers = [
        (kind, value)
        for prop, values in properties.items()
        if (kind := id_kind(schema, prop)) is not None
        for value in values
    ]
    addresses = properties.get("full" if schema == "Address" else "address") or [""]
    return Subject.build(
        ref,
        schema=schema,
        names=names,
        birth_date=births[0] if births else None,
        birth_dates=births[1:],
        nationalities=[n.lower() for n in nationalities],
        identifiers=identifiers,
        address=addresses[0],
    )


def stored_key(key: str) -> str:
    """A blocking key as stored: itself, or a digest where it is longer than the column."""
    if len(key) <= KEY_LENGTH:
        return key
    return "h:" + hashlib.blake2b(key.encode(), digest_size=24).hexdigest()


def entity_keys(subject: Subject) -> set[str]:
    return {stored_key(k) for k in subject_keys(subject)}


def query_subject(
    *,
    names: Iterable[str] = (),
    birth_date: str | None = None,
    nationalities: Iterable[str] = (),
    identifiers: Iterable[tuple[str, str]] = (),
    country: str | None = None,
    schema: str = "Person",
) -> Subject:
    """A cross-check query from what a user typed: countries as ISO codes or names, identifiers as
    (kind, raw) normalised as on write (a local phone number in ``country``, else the first
    nationality). Raises BadInputError naming the value that cannot be read."""
    errors: dict[str, str] = {}
    codes: list[str] = []
    for raw in nationalities:
        try:
            code = normalise_country(raw)
        except IdentifierError as exc:
            errors["nationality"] = exc.message
            continue
        if code:
            codes.append(code.lower())
    fallback = country or (codes[0] if codes else None)
    ids: list[tuple[str, str]] = []
    for kind, raw in identifiers:
        try:
            ids.append((kind, normalise(kind, raw, country=fallback if kind == "phone" else None).value))
        except IdentifierError as exc:
            errors[kind] = exc.message
    if birth_date and parse_birth_date(birth_date) is None:
        errors["birth_date"] = f"birth date {birth_date!r} cannot be read: expected e.g. 1980-03-05 or 1980"
    if errors:
        raise BadInputError("the query is not valid: " + "; ".join(errors.values()), errors)
    subject = Subject.build(
        "query",
        schema=schema,
        names=list(names),
        birth_date=birth_date or None,
        nationalities=codes,
        identifiers=ids,
    )
    if subject.empty:
        raise BadInputError(
            "the query has nothing to match on: give a name, a birth date or an identifier",
            {"query": "empty"},
        )
    return subject
