"""Identifier normalisation: the matching keys that cross-checks run on.

On every write, each identifier a record carries (a phone number, an e-mail address, a passport, an IBAN,
a vessel's IMO number, a crypto address ...) is normalised to one canonical string, and
``Identifier.key`` (``"<kind>:<value>"``) goes into the keys table. Two agencies that wrote the same phone
as ``"+86 138-0013-8000"`` and ``"13800138000"`` (country CN) then meet on ``phone:+8613800138000``.

Design:

- **Libraries first.** Every check that a well-kept library implements comes from it: ``phonenumbers``
  (parsing, validity, E.164), ``python-stdnum`` (IBAN, BIC, IMO, ISO 6346 containers, Bitcoin, and the
  national personal-ID and tax-number schemes with their checksums), ``pycryptodome`` (Keccak-256 for
  Ethereum's EIP-55 checksum) and ``pycountry`` (country codes and names, through
  ``interdict.domain.seizures.resolve_country``, which adds the names partners actually write, e.g.
  "Russia"). What is written here by hand is only what no installed library does; each such piece says so
  where it stands.
- **The value is the key, the country is beside it.** ``Identifier.value`` never embeds the country for
  kinds whose country partners often leave out (passports, plates, national IDs, tax IDs): the same
  passport written with and without its issuing country must meet. ``Identifier.country`` keeps it.
- **Strict where a checksum exists, lenient where none does.** A value that fails a check digit is refused
  (a typo would otherwise become a key that matches nothing, or the wrong thing); kinds with no check
  (bank accounts, plates, passports, national IDs of countries without a scheme) are only compacted:
  Unicode compatibility forms folded (NFKC), upper-cased, separators dropped.
- **Errors say what was wrong.** ``IdentifierError`` is a ``BadInputError`` (HTTP 422, field-level
  ``errors``) and a ``ValueError``; its message names the kind, the value as given and what was expected,
  e.g. ``IBAN 'GB82WEST12345698765431' fails its checksum``.

``normalise`` raises; ``try_normalise`` returns ``(identifier, None)`` or ``(None, message)`` for importers
that keep a row and report the identifier; ``guess_kind`` ranks the kinds a bare search-box value may be.
"""

from __future__ import annotations

import hashlib
import importlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, cast

import phonenumbers
import stdnum.bic
import stdnum.bitcoin
import stdnum.iban
import stdnum.imo
import stdnum.iso6346
from Crypto.Hash import keccak
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength, ValidationError
from stdnum.util import get_cc_module

from interdict.domain.errors import BadInputError
from interdict.domain.seizures import resolve_country

if TYPE_CHECKING:
    from stdnum.util import NumberValidationModule

__all__ = [
    "KINDS",
    "Identifier",
    "IdentifierError",
    "guess_kind",
    "normalise",
    "normalise_country",
    "try_normalise",
]

KINDS: tuple[str, ...] = (
    "phone",
    "email",
    "passport",
    "national_id",
    "iban",
    "bank_account",
    "bic",
    "imo",
    "container",
    "plate",
    "crypto",
    "tax_id",
)

# How messages name each kind.
LABELS: dict[str, str] = {
    "phone": "phone",
    "email": "email",
    "passport": "passport",
    "national_id": "national ID",
    "iban": "IBAN",
    "bank_account": "bank account",
    "bic": "BIC",
    "imo": "IMO number",
    "container": "container number",
    "plate": "plate",
    "crypto": "crypto address",
    "tax_id": "tax ID",
}

MAX_RAW_LENGTH = 320  # longer than any identifier here (an e-mail address is at most 254); refuse early
_SHOWN_LENGTH = 80  # how much of a value an error message quotes


class IdentifierError(BadInputError, ValueError):
    """An identifier that cannot be normalised. ``errors`` is ``{field: message}``."""

    def __init__(self, kind: str, value: str, message: str, *, field: str | None = None) -> None:
        self.kind = kind
        self.value = value
        self.field = field or kind
        self.message = message
        super().__init__(message, {self.field: message})


@dataclass(frozen=True, slots=True)
class Identifier:
    kind: str  # one of KINDS
    value: str  # canonical form, the matching key
    raw: str  # as given
    country: str | None = None  # ISO 3166-1 alpha-2 where known
    detail: str | None = None  # crypto chain; stdnum scheme for national and tax IDs

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}"


# -- shared helpers ----------------------------------------------------------------------------------


def _shown(raw: str) -> str:
    """The value as quoted in messages: stripped, and cut short if very long."""
    text = raw.strip()
    if len(text) > _SHOWN_LENGTH:
        text = text[: _SHOWN_LENGTH - 1] + "…"
    return f"'{text}'"


def _fail(kind: str, raw: str, problem: str) -> IdentifierError:
    """An error whose message reads "<kind label> '<raw>' <problem>"."""
    return IdentifierError(kind, raw, f"{LABELS[kind]} {_shown(raw)} {problem}")


def _nfkc(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII, ligatures split ...) and outer whitespace stripped."""
    return unicodedata.normalize("NFKC", text).strip()


def _ascii_digits(text: str) -> str:
    """Every Unicode decimal digit (Arabic-Indic, Devanagari ...) as its ASCII digit; NFKC leaves them."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() and not c.isascii() else c for c in text)


def _compact(text: str) -> str:
    """Upper-case alphanumerics only: separators, spaces and punctuation dropped."""
    return "".join(c for c in _ascii_digits(_nfkc(text)).upper() if c.isalnum())


def normalise_country(country: str | None, *, kind: str = "country", raw: str = "") -> str | None:
    """ISO 3166-1 alpha-2 for an alpha-2 or alpha-3 code or an English country name; None for none given.

    Raises IdentifierError (field ``country``) naming the country when it is not known.
    """
    if country is None or not country.strip():
        return None
    code = resolve_country(_nfkc(country))
    if code is None:
        subject = f" given for {LABELS.get(kind, kind)} {_shown(raw)}" if raw else ""
        message = (
            f"country '{country.strip()}'{subject} is not a known country: expected an ISO 3166-1 "
            "alpha-2 or alpha-3 code or an English country name"
        )
        raise IdentifierError(kind, country, message, field="country")
    return code


def _stdnum_problem(exc: ValidationError) -> str:
    """What a python-stdnum validation error means, as the end of a sentence."""
    if isinstance(exc, InvalidChecksum):
        return "fails its checksum"
    if isinstance(exc, InvalidLength):
        return "has the wrong length"
    if isinstance(exc, InvalidComponent):
        return "has a part that is invalid or unknown"
    return "has the wrong format"


# -- phone ---------------------------------------------------------------------------------------------

_PHONE_SEPARATORS = re.compile(r"[\s().\-/]")


def _phone(raw: str, country: str | None) -> Identifier:
    text = _nfkc(raw)
    if text.lower().startswith("tel:"):
        text = text[4:].strip()
    if not text:
        raise _fail("phone", raw, "is empty: expected a phone number")
    bare = _PHONE_SEPARATORS.sub("", text)
    international = bare.startswith(("+", "00"))
    if not international and country is None:
        raise _fail("phone", raw, "is in local format: give the country")
    # Readings to try, first valid wins: as written in the country (phonenumbers applies the country's own
    # international prefix, e.g. "00" in China, "011" in the US); then "00" read as "+", the international
    # prefix in most of the world, which phonenumbers knows only where it is the country's own.
    attempts: list[tuple[str, str | None]] = []
    if country is not None or bare.startswith("+"):
        attempts.append((text, country))
    if bare.startswith("00"):
        attempts.append(("+" + bare[2:], None))
    parsed: phonenumbers.PhoneNumber | None = None
    error: phonenumbers.NumberParseException | None = None
    for number, region in attempts:
        try:
            candidate = phonenumbers.parse(number, region)
        except phonenumbers.NumberParseException as exc:
            error = error or exc
            continue
        if phonenumbers.is_valid_number(candidate):
            parsed = candidate
            break
        parsed = parsed or candidate
    if parsed is None:
        if error is not None and error.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            problem = "has an unknown country code: expected +<country code><number>"
        else:
            problem = "is not a phone number: expected digits with an optional +<country code>"
        raise _fail("phone", raw, problem) from error
    if not phonenumbers.is_valid_number(parsed):
        where = "" if international or country is None else f" for {country}"
        raise _fail("phone", raw, f"is not a valid phone number{where}")
    region = phonenumbers.region_code_for_number(parsed)
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return Identifier(
        "phone",
        e164,
        raw,
        country=region if region and region != phonenumbers.UNKNOWN_REGION and region != "001" else None,
    )


# -- email ---------------------------------------------------------------------------------------------


def _email(raw: str, country: str | None) -> Identifier:
    text = _nfkc(raw)
    if text.lower().startswith("mailto:"):
        text = text[7:].strip()
    expected = "expected name@domain.tld"
    if text.count("@") != 1:
        raise _fail("email", raw, f"must contain exactly one @: {expected}")
    if any(c.isspace() for c in text):
        raise _fail("email", raw, f"contains spaces: {expected}")
    local, domain = text.lower().split("@")
    if not local:
        raise _fail("email", raw, f"has nothing before the @: {expected}")
    if len(local) > 64:
        raise _fail("email", raw, "has more than 64 characters before the @")
    if "." not in domain or domain.startswith(".") or domain.endswith(".") or ".." in domain:
        raise _fail("email", raw, f"has no valid domain after the @: {expected}")
    try:
        # The standard library's IDNA codec (IDNA 2003 with nameprep): "bücher.de" -> "xn--bcher-kva.de".
        ascii_domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise _fail("email", raw, f"has a domain that cannot be IDNA-encoded: {expected}") from exc
    value = f"{local}@{ascii_domain}"
    if len(value) > 254:
        raise _fail("email", raw, "is longer than 254 characters")
    return Identifier("email", value, raw, country=country)


# -- passport, bank account, plate: compaction only ---------------------------------------------------

_PASSPORT = re.compile(r"[A-Z0-9]{5,20}")
_PASSPORT_DROP = re.compile(r"[\s.\-]")


def _passport(raw: str, country: str | None) -> Identifier:
    # Hand-written: no library knows passport numbers (ICAO 9303 puts a check digit only in the machine
    # readable zone, not in the number as written), so the number is only compacted and its shape checked.
    value = _PASSPORT_DROP.sub("", _ascii_digits(_nfkc(raw)).upper())
    if not _PASSPORT.fullmatch(value):
        raise _fail("passport", raw, "is not a passport number: expected 5 to 20 letters A-Z and digits")
    return Identifier("passport", value, raw, country=country)


def _bank_account(raw: str, country: str | None) -> Identifier:
    # Hand-written: account numbers outside IBAN have no common check (a few countries' schemes exist in
    # stdnum, but partners write accounts in every national form), so they are compacted only.
    value = _compact(raw)
    if not 4 <= len(value) <= 34 or not value.isascii():
        raise _fail("bank_account", raw, "is not an account number: expected 4 to 34 letters A-Z and digits")
    return Identifier("bank_account", value, raw, country=country)


# Cyrillic letters used on Russian (and, with І, Ukrainian) plates, which are chosen because they look
# like Latin ones: a plate read off a photograph and typed on a Latin keyboard must meet the same plate
# typed in Cyrillic.
_PLATE_LOOKALIKES = str.maketrans("АВЕКМНОРСТУХІ", "ABEKMHOPCTYXI")


def _plate(raw: str, country: str | None) -> Identifier:
    # Hand-written: no library normalises vehicle registration plates. Every character that is not a
    # letter or digit (spaces, hyphens, dots, the middle dot of Chinese plates) is dropped; letters and
    # digits of any script are kept, so a leading Chinese province character ("京") stays as it is.
    value = _compact(raw).translate(_PLATE_LOOKALIKES)
    if not 2 <= len(value) <= 15:
        raise _fail("plate", raw, "is not a plate: expected 2 to 15 letters and digits")
    return Identifier("plate", value, raw, country=country)


# -- IBAN, BIC, IMO, container: python-stdnum ---------------------------------------------------------


def _iban(raw: str, country: str | None) -> Identifier:
    text = _nfkc(raw)
    try:
        stdnum.iban.validate(text)
    except ValidationError as exc:
        problem = _stdnum_problem(exc)
        if not isinstance(exc, InvalidChecksum):
            problem += (
                ": expected a country code, 2 check digits and the account number in the country's format"
            )
        raise _fail("iban", raw, problem) from exc
    value = stdnum.iban.compact(text)
    # The IBAN names its own country; that wins over a country given beside it.
    return Identifier("iban", value, raw, country=value[:2])


def _bic(raw: str, country: str | None) -> Identifier:
    text = _nfkc(raw)
    try:
        value = stdnum.bic.compact(stdnum.bic.validate(text))
    except ValidationError as exc:
        problem = f"{_stdnum_problem(exc)}: expected 8 or 11 characters (bank, country, location, branch)"
        raise _fail("bic", raw, problem) from exc
    if value.endswith("XXX"):
        value = value[:8]  # "XXX" is the primary office, the same as the 8-character BIC
    return Identifier("bic", value, raw, country=value[4:6])


def _imo(raw: str, country: str | None) -> Identifier:
    # The value is stdnum's compact form, the seven digits without "IMO" ("9074729"): the kind already
    # says what the digits are, and partners write both "IMO 9074729" and "9074729".
    text = _nfkc(raw)
    try:
        value = stdnum.imo.compact(stdnum.imo.validate(text))
    except ValidationError as exc:
        raise _fail("imo", raw, f"{_stdnum_problem(exc)}: expected 7 digits, optionally after 'IMO'") from exc
    return Identifier("imo", value, raw, country=country)


def _container(raw: str, country: str | None) -> Identifier:
    text = re.sub(r"[\s.\-/]", "", _nfkc(raw))  # stdnum.iso6346 drops spaces only: "CSQU 305438-3"
    try:
        value = stdnum.iso6346.compact(stdnum.iso6346.validate(text))
    except ValidationError as exc:
        problem = f"{_stdnum_problem(exc)}: expected 4 letters, 6 digits and a check digit (ISO 6346)"
        raise _fail("container", raw, problem) from exc
    return Identifier("container", value, raw, country=country)


# -- national and tax IDs: python-stdnum per country --------------------------------------------------

# Personal-ID schemes in python-stdnum beside what ``get_cc_module(cc, "personalid")`` finds. Left out on
# purpose: Colombia (the cédula is plain digits, no check; co.nit is the tax number), Vietnam (vn.mst is
# the tax code; the 12-digit citizen ID has no check digit), France and Canada (fr.nir and ca.sin are
# social-insurance numbers, not what partners put in a national-ID field). Those countries' IDs are
# compacted only.
_PERSONAL_ID_MODULES: dict[str, tuple[str, ...]] = {
    "BG": ("bg.egn",),
    "BR": ("br.cpf",),
    "CH": ("ch.ssn",),
    "CL": ("cl.rut",),
    "CN": ("cn.ric",),
    "CR": ("cr.cpf",),
    "CU": ("cu.ni",),
    "CZ": ("cz.rc",),
    "DO": ("do.cedula",),
    "EC": ("ec.ci",),
    "ES": ("es.dni", "es.nie"),
    "HR": ("hr.oib",),
    "ID": ("id.nik",),
    "IE": ("ie.pps",),
    "IL": ("il.idnr",),
    "IN": ("in_.aadhaar",),
    "IT": ("it.codicefiscale",),
    "JP": ("jp.in_",),
    "KR": ("kr.rrn",),
    "LT": ("lt.asmens",),
    "MU": ("mu.nid",),
    "MX": ("mx.curp",),
    "MY": ("my.nric",),
    "NL": ("nl.bsn",),
    "PE": ("pe.cui",),
    "PK": ("pk.cnic",),
    "PL": ("pl.pesel",),
    "PT": ("pt.cc",),
    "RO": ("ro.cnp",),
    "RU": ("ru.inn",),
    "SK": ("sk.rc",),
    "TH": ("th.pin",),
    "TR": ("tr.tckimlik",),
    "US": ("us.ssn",),
    "ZA": ("za.idnr",),
}

# Tax-number schemes beside the country's 'tin' and 'vat' modules (tried first, in that order).
_TAX_ID_MODULES: dict[str, tuple[str, ...]] = {
    "AR": ("ar.cuit",),
    "AU": ("au.tfn", "au.abn"),
    "BR": ("br.cpf", "br.cnpj"),
    "DE": ("de.idnr", "de.stnr"),
    "FR": ("fr.nif", "fr.siren"),
    "GB": ("gb.utr",),
    "IN": ("in_.pan", "in_.gstin"),
    "IT": ("it.codicefiscale",),
    "JP": ("jp.cn",),
    "UA": ("ua.rntrc", "ua.edrpou"),
}

_ID_SEPARATORS = re.compile(r"[\s.\-/]")

# EU VAT prefixes that differ from the ISO 3166 code.
_VAT_PREFIX_COUNTRY = {"EL": "GR", "XI": "GB"}


def _scheme_name(module: NumberValidationModule) -> str:
    """``cn.ric`` for ``stdnum.cn.ric``: what ``Identifier.detail`` records."""
    return str(getattr(module, "__name__", "?")).removeprefix("stdnum.")


def _scheme_title(module: NumberValidationModule) -> str:
    """The scheme as messages name it, e.g. "RIC No. (Chinese Resident Identity Card Number) [cn.ric]"."""
    doc = str(getattr(module, "__doc__", "") or "").strip()
    title = doc.splitlines()[0].rstrip(".") if doc else ""
    return f"{title} [{_scheme_name(module)}]" if title else _scheme_name(module)


@cache
def _modules(
    country: str, aliases: tuple[str, ...], extra: tuple[str, ...]
) -> tuple[NumberValidationModule, ...]:
    """The stdnum modules for a country: its aliases (``get_cc_module``) then named extras, no repeats."""
    found: list[NumberValidationModule] = []
    for alias in aliases:
        module = get_cc_module(country.lower(), alias)
        if module is not None:
            found.append(module)
    for name in extra:
        try:
            found.append(cast("NumberValidationModule", importlib.import_module(f"stdnum.{name}")))
        except ImportError:  # an older python-stdnum without this scheme
            continue
    unique: dict[str, NumberValidationModule] = {}
    for module in found:
        unique.setdefault(_scheme_name(module), module)
    return tuple(unique.values())


def _personal_id_modules(country: str) -> tuple[NumberValidationModule, ...]:
    return _modules(country, ("personalid",), _PERSONAL_ID_MODULES.get(country, ()))


def _tax_id_modules(country: str) -> tuple[NumberValidationModule, ...]:
    return _modules(country, ("tin", "vat"), _TAX_ID_MODULES.get(country, ()))


def _by_scheme(kind: str, raw: str, country: str, modules: tuple[NumberValidationModule, ...]) -> Identifier:
    """The first scheme the value is valid in; else an error naming the value and every scheme tried."""
    # Separators dropped first: each stdnum module strips its own set (cn.ric none, us.ssn only "-").
    text = _ID_SEPARATORS.sub("", _ascii_digits(_nfkc(raw)))
    problems: list[str] = []
    for module in modules:
        try:
            value = module.compact(module.validate(text))
        except ValidationError as exc:
            problems.append(f"{_stdnum_problem(exc)} as {_scheme_title(module)}")
            continue
        except (ValueError, LookupError, TypeError):  # a scheme tripping over odd input
            problems.append(f"has the wrong format as {_scheme_title(module)}")
            continue
        return Identifier(kind, value, raw, country=country, detail=_scheme_name(module))
    if len(problems) == 1:
        raise _fail(kind, raw, problems[0])
    raise _fail(kind, raw, f"is not valid for {country}: it " + "; it ".join(problems))


def _compact_id(kind: str, raw: str, country: str | None) -> Identifier:
    value = _compact(raw)
    if not 4 <= len(value) <= 40:
        raise _fail(kind, raw, "is not an identity or tax number: expected 4 to 40 letters and digits")
    return Identifier(kind, value, raw, country=country)


def _national_id(raw: str, country: str | None) -> Identifier:
    if country is not None:
        modules = _personal_id_modules(country)
        if modules:
            return _by_scheme("national_id", raw, country, modules)
    # Hand-written only as far as compaction: no scheme is known for the country (or none was given).
    return _compact_id("national_id", raw, country)


def _tax_id(raw: str, country: str | None) -> Identifier:
    if country is not None:
        modules = _tax_id_modules(country)
        if modules:
            return _by_scheme("tax_id", raw, country, modules)
        return _compact_id("tax_id", raw, country)
    # No country given: an EU VAT number carries its own, and is keyed exactly as with that country given
    # (the national module's compact form, without the prefix), so that both writings meet.
    text = _ID_SEPARATORS.sub("", _ascii_digits(_nfkc(raw)))
    if eu_vat.is_valid(text):
        prefix = eu_vat.compact(text)[:2]
        cc = _VAT_PREFIX_COUNTRY.get(prefix, prefix)
        if _tax_id_modules(cc):
            return _by_scheme("tax_id", raw, cc, _tax_id_modules(cc))
    return _compact_id("tax_id", raw, None)


# -- crypto --------------------------------------------------------------------------------------------

_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32M_CONST = 0x2BC830A3  # BIP-350
_ETHEREUM = re.compile(r"0x[0-9a-fA-F]{40}")
_URI_SCHEME = re.compile(r"(bitcoin|ethereum|tron|litecoin):", re.IGNORECASE)


class _NotThisChain(Exception):
    """A chain's check did not pass; the message says why."""


def _base58check(address: str, versions: set[int]) -> None:
    """Base58check: 25 bytes, a known version byte, and the first 4 bytes of double SHA-256 at the end.

    Hand-written around stdnum's base58 decoder (``stdnum.bitcoin.b58decode``): stdnum checks Bitcoin's
    own version bytes only, and no installed library validates TRON (0x41) or Litecoin (0x30, 0x32).
    """
    if not all(c in _BASE58 for c in address):
        raise _NotThisChain("has characters outside base58")
    data = stdnum.bitcoin.b58decode(address)
    if len(data) != 25:
        raise _NotThisChain("has the wrong length")
    if data[0] not in versions:
        raise _NotThisChain("has the wrong version byte")
    if hashlib.sha256(hashlib.sha256(data[:-4]).digest()).digest()[:4] != data[-4:]:
        raise _NotThisChain("fails its checksum")


def _segwit(address: str, hrp: str) -> str:
    """A segwit address under ``hrp`` with BIP-350 rules: bech32 for witness v0, bech32m for v1 and later.

    Hand-written around stdnum's bech32 primitives: stdnum.bitcoin accepts only the bech32 constant, so
    it refuses Taproot (bc1p..., bech32m) addresses, and it knows no other chain's prefix (ltc1).
    """
    value = address.lower()
    if address != value and address != address.upper():
        raise _NotThisChain("mixes upper and lower case")
    data_part = value[len(hrp) + 1 :]
    if not all(c in _BECH32 for c in data_part):
        raise _NotThisChain("has characters outside bech32")
    if not 14 <= len(value) <= 90 or len(data_part) < 7:
        raise _NotThisChain("has the wrong length")
    data = [_BECH32.index(c) for c in data_part]
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    checksum = stdnum.bitcoin.bech32_checksum(expanded + data)
    version = data[0]
    if checksum != (1 if version == 0 else _BECH32M_CONST):
        raise _NotThisChain("fails its checksum")
    try:
        program = stdnum.bitcoin.b32decode(data[1:-6])
    except ValidationError as exc:
        raise _NotThisChain("has an invalid witness program") from exc
    if version > 16 or not 2 <= len(program) <= 40 or (version == 0 and len(program) not in (20, 32)):
        raise _NotThisChain("has an invalid witness program")
    return value


def _bitcoin(address: str) -> str:
    if not (address[:1] in ("1", "3") or address[:3].lower() == "bc1"):
        raise _NotThisChain("expected 1..., 3... or bc1...")
    try:
        return stdnum.bitcoin.compact(stdnum.bitcoin.validate(address))
    except ValidationError as exc:
        if address[:3].lower() == "bc1" and address[3:4].lower() != "q":
            return _segwit(address, "bc")  # Taproot and later witness versions (bech32m)
        raise _NotThisChain(_stdnum_problem(exc)) from exc


def _ethereum(address: str) -> str:
    if address[:2] == "0X":
        address = "0x" + address[2:]
    if not _ETHEREUM.fullmatch(address):
        raise _NotThisChain("expected 0x followed by 40 hex digits")
    digits = address[2:]
    lower = digits.lower()
    if digits not in (lower, digits.upper()):
        # Mixed case carries the EIP-55 checksum: a hex letter is upper-case exactly where the matching
        # nibble of Keccak-256 (not SHA3-256) of the lower-case hex is 8 or more.
        hashed = keccak.new(digest_bits=256, data=lower.encode("ascii")).hexdigest()
        expected = "".join(
            c.upper() if int(h, 16) >= 8 else c for c, h in zip(lower, hashed[:40], strict=True)
        )
        if digits != expected:
            raise _NotThisChain("fails its EIP-55 checksum")
    return "0x" + lower


def _tron(address: str) -> str:
    if not address.startswith("T") or len(address) != 34:
        raise _NotThisChain("expected T followed by 33 base58 characters")
    _base58check(address, {0x41})
    return address


def _litecoin(address: str) -> str:
    if address[:4].lower() == "ltc1":
        return _segwit(address, "ltc")
    if address[:1] not in ("L", "M"):
        raise _NotThisChain("expected L..., M... or ltc1...")
    _base58check(address, {0x30, 0x32})
    return address


# In order of precedence. A "3..." address is P2SH on Bitcoin (and on old Litecoin wallets): read as Bitcoin.
_CHAINS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("bitcoin", _bitcoin),
    ("ethereum", _ethereum),
    ("tron", _tron),
    ("litecoin", _litecoin),
)
_CHAIN_NAMES = {"bitcoin": "Bitcoin", "ethereum": "Ethereum", "tron": "TRON", "litecoin": "Litecoin"}
_CHAIN_PREFIXES: dict[str, tuple[str, ...]] = {
    "bitcoin": ("1", "3", "bc1"),
    "ethereum": ("0x",),
    "tron": ("t",),
    "litecoin": ("l", "m", "ltc1"),
}


def _crypto(raw: str, country: str | None) -> Identifier:
    text = _nfkc(raw)
    scheme = _URI_SCHEME.match(text)
    if scheme:  # a payment URI: "bitcoin:1Bv...?amount=0.1"
        text = text[scheme.end() :].split("?", 1)[0].strip()
    if not text:
        raise _fail("crypto", raw, "is empty: expected a Bitcoin, Ethereum, TRON or Litecoin address")
    failures: dict[str, str] = {}
    for chain, check in _CHAINS:
        try:
            value = check(text)
        except _NotThisChain as exc:
            failures[chain] = str(exc)
            continue
        return Identifier("crypto", value, raw, country=country, detail=chain)
    # Report the chains whose prefix the address has; if none, every chain and what it expects.
    lowered = text.lower()
    relevant = [c for c in failures if lowered.startswith(_CHAIN_PREFIXES[c])] or list(failures)
    if len(relevant) == 1:
        chain = relevant[0]
        raise _fail("crypto", raw, f"is not a valid {_CHAIN_NAMES[chain]} address: it {failures[chain]}")
    reasons = "; ".join(f"{chain}: {failures[chain]}" for chain in relevant)
    raise _fail("crypto", raw, f"matches no supported chain ({reasons})")


# -- public API ----------------------------------------------------------------------------------------

_NORMALISERS: dict[str, Callable[[str, str | None], Identifier]] = {
    "phone": _phone,
    "email": _email,
    "passport": _passport,
    "national_id": _national_id,
    "iban": _iban,
    "bank_account": _bank_account,
    "bic": _bic,
    "imo": _imo,
    "container": _container,
    "plate": _plate,
    "crypto": _crypto,
    "tax_id": _tax_id,
}


def normalise(kind: str, raw: str, *, country: str | None = None) -> Identifier:
    """The canonical identifier for ``raw`` of ``kind``; ``country`` is alpha-2, alpha-3 or a name.

    Raises IdentifierError naming the kind, the value and what was expected.
    """
    if kind not in _NORMALISERS:
        message = f"identifier kind '{kind}' is not known: expected one of {', '.join(KINDS)}"
        raise IdentifierError(kind, raw, message, field="kind")
    if len(raw) > MAX_RAW_LENGTH:
        raise _fail(kind, raw, f"is longer than {MAX_RAW_LENGTH} characters")
    if not raw.strip():
        raise _fail(kind, raw, "is empty")
    cc = normalise_country(country, kind=kind, raw=raw)
    return _NORMALISERS[kind](raw, cc)


def try_normalise(kind: str, raw: str, *, country: str | None = None) -> tuple[Identifier | None, str | None]:
    """``(identifier, None)``, or ``(None, message)`` when ``raw`` cannot be normalised."""
    try:
        return normalise(kind, raw, country=country), None
    except IdentifierError as exc:
        return None, exc.message


def _valid(kind: str, raw: str) -> bool:
    return try_normalise(kind, raw)[0] is not None


_HAS_HAN = re.compile(r"[\u3400-\u9fff]")
_HAS_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def guess_kind(raw: str) -> list[str]:
    """The kinds a bare value typed into a search box may be, most plausible first.

    Kinds whose check passes (structure and check digit) come first, strongest check first; then the kinds
    the value's shape allows, which cannot be checked without a country or have no check at all.
    """
    text = _nfkc(raw)
    if not text or len(text) > MAX_RAW_LENGTH:
        return []
    if "@" in text:
        return ["email"] if _valid("email", text) else []
    guesses: list[str] = []
    for kind in ("crypto", "iban", "container", "bic"):
        if _valid(kind, text):
            guesses.append(kind)
    if text.upper().startswith("IMO") and _valid("imo", text):
        guesses.append("imo")
    bare = _PHONE_SEPARATORS.sub("", text)
    if bare.startswith(("+", "00")) and _valid("phone", text):
        guesses.append("phone")
    compact = _compact(text)
    # A crypto address, an IBAN, "IMO ..." or "+<country code>..." that passes its check is nothing else.
    if (guesses and guesses[0] in ("crypto", "iban", "imo")) or bare.startswith("+") or not compact:
        return guesses
    if compact.isdigit() and len(compact) == 7 and "imo" not in guesses and _valid("imo", compact):
        guesses.append("imo")  # seven digits pass the IMO check one time in ten: a weak guess
    shape: list[str] = []
    if _HAS_HAN.search(text) or _HAS_CYRILLIC.search(text):
        shape.append("plate")
    local_phone = bare.isdigit() and 6 <= len(bare) <= 15
    if compact.isdigit():
        shape += ["phone", "national_id", "tax_id", "bank_account"]
    else:
        shape += ["passport", "national_id", "plate", "tax_id", "bank_account"]
    for kind in shape:
        if kind in guesses:
            continue
        # A local phone number cannot be checked without its country, but is plausible by its shape.
        if (kind == "phone" and local_phone) or (kind != "phone" and _valid(kind, text)):
            guesses.append(kind)
    return guesses
