"""Published sanctions and designation lists, read into FollowTheMoney entities for screening.

Two inputs are understood:

- the US OFAC SDN list in its published ``sdn.csv`` layout (twelve columns, no header row, ``-0-`` for
  an empty cell, a final ``\\x1a`` line, ASCII/cp1252), or the same columns with a header row and
  UTF-8 (as in a programme subset saved by a spreadsheet or script);
- FollowTheMoney JSON lines (one entity per line, as OpenSanctions and ``ftm`` export them).

Design
------
Every entry becomes a frozen :class:`WatchListEntry`: the fields a screening match needs (names,
aliases, birth dates, nationalities as ISO codes, identity numbers) parsed out once, plus the FtM
entity built from the same values (``entity``) for anything that speaks FtM. Nothing in the published
text is dropped silently:

- OFAC packs most facts into the free-text ``Remarks`` column as ``;``-separated items. Each item is
  matched against a table of the forms that occur in the list (``DOB``, ``POB``, ``nationality``,
  ``Passport``, ``Cedula No.``, ``NIT #``, ``R.F.C.``, ``a.k.a. '...'``, ``Linked To:`` ...; see
  ``_ID_FORMS`` and ``_FACT_FORMS``). An item that matches no form, or whose value cannot be read
  (a nationality that names no country, a date in no known shape), is kept verbatim: it stays in
  ``WatchListEntry.unparsed``, in ``remarks`` (those items joined) and in the entity's ``notes``, and
  the list's ``warnings`` carry their total. Semicolons inside parentheses do not split items.
- A value an FtM property refuses (a phone number without its country code, say) goes to ``notes``
  with its label rather than vanishing.
- The published ``Remarks`` field is cut at 1,000 characters. Remarks that do not end in ``.`` were
  cut: their last, partial item is kept unparsed (a partial alias or wallet address would match the
  wrong thing) and a warning names the line.

Faults of the file itself (undecodable or binary data, a row with the wrong number of columns, a
non-numeric or repeated ``ent_num``, a line that is not JSON) raise :class:`WatchListError` naming
the line; oddities that do not stop a reader (an unknown ``SDN_Type``, cut remarks, entities of
other schemata in an FtM file) become ``WatchList.warnings``.

Entity ids are stable across releases of the list: ``ofac-sdn-{ent_num}``. ``Linked To`` is kept as
text (``linked_to`` and a note) rather than as FtM relationship entities. ``addresses`` is empty for
OFAC, whose addresses are published in a separate file (``add.csv``) that this reader does not take.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import pycountry
from followthemoney import EntityProxy, model
from followthemoney.exc import InvalidData

from interdict.domain.errors import BadInputError

__all__ = [
    "IDENTIFIER_KINDS",
    "OFAC_COLUMNS",
    "ListedIdentifier",
    "WatchList",
    "WatchListEntry",
    "WatchListError",
    "detect_format",
    "read_ftm_list",
    "read_ofac_sdn",
    "read_watch_list",
    "resolve_country",
]


class WatchListError(BadInputError, ValueError):
    """A list that cannot be read; ``errors`` maps ``"line N"`` (or ``"file"``) to the problem."""

    def __init__(self, detail: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(detail, errors or {"file": detail})


IDENTIFIER_KINDS = frozenset(
    {"passport", "national_id", "tax_id", "registration", "email", "phone", "imo", "crypto", "other"}
)


@dataclass(frozen=True, slots=True)
class ListedIdentifier:
    """One identity or registration number as the list gives it.

    ``label`` is the list's own words ("Cedula No.", "NIT #", "R.F.C.", "Passport"); ``country`` the
    ISO 3166 alpha-2 code (lower case, as FtM writes it) of the issuing country where the list names
    one that resolves; ``details`` what followed the number ("issued 21 Aug 2006 expires ...", or an
    issuing country name that did not resolve).
    """

    kind: str
    value: str
    country: str | None
    label: str
    details: str = ""


@dataclass(frozen=True, slots=True)
class WatchListEntry:
    list_code: str
    entry_id: str
    schema: str
    name: str
    aliases: tuple[str, ...]
    programs: tuple[str, ...]
    birth_dates: tuple[str, ...]
    nationalities: tuple[str, ...]
    identifiers: tuple[ListedIdentifier, ...]
    addresses: tuple[str, ...]
    remarks: str
    entity: EntityProxy = field(compare=False, repr=False)
    listed_name: str = ""  # the name exactly as published ("RODRIGUEZ OREJUELA, Gilberto Jose")
    other_names: tuple[str, ...] = ()  # further forms of the name itself (not aliases)
    linked_to: tuple[str, ...] = ()
    birth_places: tuple[str, ...] = ()
    gender: str | None = None  # "male" / "female"
    title: str = ""
    websites: tuple[str, ...] = ()
    facts: tuple[tuple[str, str], ...] = ()  # other recognised items: ("Organization Type", "...")
    unparsed: tuple[str, ...] = ()  # remark items not understood, verbatim; ``remarks`` joins them
    raw_remarks: str = ""
    line: int = 0  # where the entry starts in the file

    @property
    def all_names(self) -> tuple[str, ...]:
        """Name, other forms of it and aliases, each once, for matching."""
        return tuple(dict.fromkeys((self.name, *self.other_names, *self.aliases)))


@dataclass(frozen=True, slots=True)
class WatchList:
    code: str
    title: str
    publisher: str
    published: date | None
    source: str
    sha256: str
    entries: tuple[WatchListEntry, ...]
    warnings: tuple[str, ...]
    _by_id: dict[str, WatchListEntry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {e.entry_id: e for e in self.entries})

    @property
    def unparsed_count(self) -> int:
        """Remark items not understood, over all entries (each kept in its entry's ``remarks``)."""
        return sum(len(e.unparsed) for e in self.entries)

    def entry(self, entry_id: str) -> WatchListEntry:
        """The entry with this ``entry_id`` (OFAC's ent_num, or the FtM entity id); KeyError if none."""
        return self._by_id[entry_id]

    def to_ftm_lines(self) -> bytes:
        """The entries' entities as FtM JSON lines (what :func:`read_ftm_list` reads)."""
        return b"".join(
            json.dumps(e.entity.to_dict(), ensure_ascii=False, sort_keys=True).encode() + b"\n"
            for e in self.entries
        )


# --------------------------------------------------------------------------------------------------
# shared helpers

OFAC_COLUMNS = (
    "ent_num", "SDN_Name", "SDN_Type", "Program", "Title", "Call_Sign",
    "Vess_type", "Tonnage", "GRT", "Vess_flag", "Vess_owner", "Remarks",
)  # fmt: skip
OFAC_CODE = "ofac-sdn"
OFAC_TITLE = "OFAC Specially Designated Nationals and Blocked Persons List (SDN)"
OFAC_PUBLISHER = "U.S. Department of the Treasury, Office of Foreign Assets Control"
_EOF = "\x1a"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x19\x1b-\x1f\x7f]")
_SPACES = re.compile(r"\s+")


def _squash(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _decode(data: bytes) -> str:
    """UTF-8 (BOM allowed), else cp1252, else latin-1; binary data is refused with its line."""
    if not data.strip(b" \t\r\n\x1a\xef\xbb\xbf"):
        raise WatchListError("the file is empty")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise WatchListError(
            f"line {line}: NUL byte: this is binary data, not a text list", {f"line {line}": "NUL byte"}
        )
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        break
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        problem = f"control character {bad.group()!r}: this is binary data, not a text list"
        raise WatchListError(f"line {line}: {problem}", {f"line {line}": problem})
    return text


@lru_cache(maxsize=4096)
def resolve_country(name: str) -> str | None:
    """ISO 3166 alpha-2 (lower case) for a country name as OFAC spells it, or None."""
    key = _squash(name).lower().rstrip(".")
    if not key:
        return None
    if key in _COUNTRY_OVERRIDES:
        return _COUNTRY_OVERRIDES[key]
    if len(key) <= 3:  # codes and abbreviations ("FANB", "ii") are not names of countries here
        return None
    try:
        found = pycountry.countries.lookup(key)
    except LookupError:
        return None
    return str(found.alpha_2).lower()


# OFAC's spellings that pycountry does not know (it has "Türkiye", "Myanmar", ...). Kosovo is "xk" as
# in FtM; "Palestinian" is the nationality OFAC writes for the State of Palestine ("ps").
_COUNTRY_OVERRIDES = {
    "russia": "ru", "turkey": "tr", "burma": "mm", "korea, north": "kp", "north korea": "kp",
    "korea, south": "kr", "south korea": "kr", "congo, democratic republic of the": "cd",
    "congo, republic of the": "cg", "kosovo": "xk", "north macedonia, the republic of": "mk",
    "macedonia": "mk", "macau": "mo", "st. vincent and the grenadines": "vc", "the gambia": "gm",
    "gambia, the": "gm", "man, isle of": "im", "st. kitts & nevis": "kn", "st. kitts and nevis": "kn",
    "st. lucia": "lc", "brunei": "bn", "cote d ivoire": "ci", "cote d'ivoire": "ci", "ivory coast": "ci",
    "bahamas, the": "bs", "palestinian": "ps", "palestinian authority": "ps", "west bank": "ps",
    "england": "gb", "great britain": "gb", "laos": "la", "iran": "ir", "syria": "sy", "vietnam": "vn",
    "micronesia, federated states of": "fm", "swaziland": "sz", "cape verde": "cv", "czech republic": "cz",
}  # fmt: skip

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}  # fmt: skip
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2}) ([A-Za-z]{3,9})\.? (\d{4})$")
_MONTH_YEAR = re.compile(r"^([A-Za-z]{3,9})\.? (\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")
_YEAR_RANGE = re.compile(r"^(\d{4})\s*-\s*(\d{4})$")


def _one_date(text: str) -> str | None:
    text = text.strip()
    if m := _YEAR.match(text):
        return m.group(1)
    if (m := _MONTH_YEAR.match(text)) and (mon := _MONTHS.get(m.group(1)[:3].lower())):
        return f"{m.group(2)}-{mon:02d}"
    if (m := _DAY_MONTH_YEAR.match(text)) and (mon := _MONTHS.get(m.group(2)[:3].lower())):
        try:
            return date(int(m.group(3)), mon, int(m.group(1))).isoformat()
        except ValueError:
            return None
    if re.match(r"^\d{4}-\d{2}(?:-\d{2})?$", text):
        return text
    return None


def parse_list_date(text: str) -> tuple[str, ...] | None:
    """OFAC's date forms as ISO prefixes; ``circa`` and ranges give their years. None if unreadable.

    "31 Jan 1939" -> ("1939-01-31",); "Sep 1938" -> ("1938-09",); "circa 1945" -> ("1945",);
    "1960 to 1962" and "circa 1979-1982" -> the two end years.
    """
    text = _squash(text)
    circa = text.lower().startswith("circa ")
    if circa:
        text = text[6:]
    if m := _YEAR_RANGE.match(text):
        return (m.group(1), m.group(2))
    parts = re.split(r"\s+to\s+", text)
    if len(parts) == 2:
        ends = [_one_date(p) for p in parts]
        if ends[0] and ends[1]:
            return (ends[0][:4], ends[1][:4])
        return None
    one = _one_date(text)
    if one is None:
        return None
    return (one[:4],) if circa else (one,)


def _put(entity: EntityProxy, props: Iterable[str], value: str, label: str) -> bool:
    """Add ``value`` under the first of ``props`` the schema has and that accepts it; else a note."""
    for prop_name in props:
        prop = entity.schema.properties.get(prop_name)
        if prop is None or prop.stub:
            continue
        if entity.unsafe_add(prop, value) is not None:
            return True
        if prop.type.name == "phone":
            digits = re.sub(r"[^\d]", "", value)
            if len(digits) >= 8 and entity.unsafe_add(prop, "+" + digits) is not None:
                return True
    entity.add("notes", f"{label}: {value}" if label else value)
    return False


# --------------------------------------------------------------------------------------------------
# OFAC remark forms


@dataclass(frozen=True, slots=True)
class _IdForm:
    label: str  # as published (matched case-insensitively, longest first)
    kind: str
    props: tuple[str, ...]  # FtM properties to try, in order; notes if none takes it
    needs_digit: bool = True  # identity numbers hold a digit; "Passport issued in Sarajevo" is no number


def _forms(kind: str, props: tuple[str, ...], *labels: str) -> list[_IdForm]:
    return [_IdForm(label, kind, props, kind not in ("email", "crypto")) for label in labels]


_ID_TABLE: list[_IdForm] = [
    *_forms("passport", ("passportNumber", "idNumber"),
            "Passport", "Diplomatic Passport", "British National Overseas Passport",
            "Passport Booklet", "Passport Booklet:", "Travel Document Number", "Stateless Person Passport"),
    *_forms("national_id", ("idNumber",),
            "Cedula No.", "National ID No.", "National ID Number", "National Foreign ID Number",
            "D.N.I.", "C.U.R.P.", "C.U.R.P. #", "CURP", "CURP #", "Credencial electoral",
            "Electoral Registry No.", "Identification Number", "C.U.I.", "C.U.I.P.", "I.F.E.",
            "Numero de Identidad", "Turkish Identification Number", "Personal ID Card",
            "Tazkira National ID Card", "Kenyan ID No.", "Citizen's Card Number", "LE Number", "N.I.E.",
            "Birth Certificate Number", "Residency Number", "Cartilla de Servicio Militar Nacional",
            "Refugee ID Card", "Cedula de Identidad", "C.I.", "Stateless Person ID Card",
            "CNP (Personal Numerical Code)", "Moroccan Personal ID No.", "Bosnian Personal ID No.",
            "UAE Identification"),
    *_forms("national_id", ("socialSecurityNumber", "idNumber"), "SSN"),
    *_forms("other", ("idNumber",), "Immigration No.", "VisaNumberID", "SRE Permit No.",
            "Romanian Permanent Resident", "Military Registration Number", "Seafarer's Identification Document"),
    *_forms("other", ("licenseNumber", "idNumber"), "Pilot License Number"),
    *_forms("other", (), "Trademark number"),
    *_forms("other", ("licenseNumber", "idNumber"), "Driver's License No.", "Driver's License"),
    *_forms("tax_id", ("taxNumber",),
            "NIT #", "NIT", "R.F.C.", "R.F.C. #", "RFC", "RFC #", "RUC #", "R.U.C.", "R.U.C. #", "RUC",
            "C.U.I.T.", "C.U.I.L.", "RIF #", "RTN", "US FEIN", "Tax ID No.", "Tax ID", "C.I.F.",
            "Paraguayan tax identification number", "Numero Unico de Identificacao Tributaria (NUIT)",
            "Italian Fiscal Code", "Italian Fiscal Code:", "Fiscal Code", "Romanian Tax Registration", "N.I.F."),
    *_forms("tax_id", ("vatCode", "taxNumber"), "V.A.T. Number"),
    *_forms("registration", ("registrationNumber",),
            "Registration ID", "Registration Number", "Business Registration Number",
            "Business Registration Document #", "Company Number", "UK Company Number",
            "Commercial Registry Number", "Folio Mercantil No.", "Matricula Mercantil No",
            "Matricula Mercantil No.", "C.R. No.", "Romanian C.R.", "Certificate of Incorporation Number",
            "Chamber of Commerce Number", "Dubai Chamber of Commerce Membership No.",
            "Istanbul Chamber of Comm. No.", "Economic Register Number (CBLS)", "Government Gazette Number",
            "Central Registration System Number", "Enterprise Number", "Branch Unit Number",
            "Business Number", "Public Registration Number", "Registered Charity No.", "Organization Code",
            "Permit Number", "File Number", "Commercial Registry No.", "MSB Registration Number",
            "Tourism License No.", "Registration Certificate Number (Dubai)", "C.I.N.",
            "Afghan Money Service Provider License Number",
            "Russian State Individual Business Registration Number Pattern (OGRNIP)"),
    _IdForm("Aircraft Tail Number", "registration", ("registrationNumber",), needs_digit=False),  # "EP-MMH"
    *_forms("registration", ("licenseNumber", "registrationNumber"), "Trade License No.", "License"),
    *_forms("registration", ("leiCode", "registrationNumber"), "Legal Entity Number"),
    *_forms("registration", ("uscCode", "registrationNumber"),
            "Unified Social Credit Code (USCC)", "United Social Credit Code Certificate (USCCC)"),
    *_forms("email", ("email",), "Email Address", "Email", "Email:"),
    *_forms("phone", ("phone",),
            "Phone Number", "Phone", "Phone:", "Telephone", "Telephone:", "Telephone No.", "Fax",
            "Fax:", "Fax No."),
    *_forms("other", ("mmsi",), "MMSI"),
    _IdForm("SWIFT/BIC", "other", ("swiftBic",), needs_digit=False),
    *_forms("other", ("dunsCode",), "D-U-N-S Number"),
    *_forms("other", ("bikCode",), "BIK", "BIK (RU)"),
    *_forms("other", ("isinCode",), "ISIN"),
    *_forms("other", ("serialNumber",), "Aircraft Manufacturer's Serial Number (MSN)"),
    *_forms("other", (), "Chinese Commercial Code", "Aircraft Construction Number (also called L/N or S/N or F/N)",
            "Aircraft Mode S Transponder Code", "Aircraft Serial Identification"),
    _IdForm("Previous Aircraft Tail Number", "other", (), needs_digit=False),
    _IdForm("UN/LOCODE", "other", (), needs_digit=False),
]  # fmt: skip
_ID_FORMS = sorted(_ID_TABLE, key=lambda f: -len(f.label))
_ID_BY_PREFIX: dict[str, list[_IdForm]] = {}
for _form in _ID_FORMS:
    _ID_BY_PREFIX.setdefault(_form.label[:2].lower(), []).append(_form)


_IMO = re.compile(r"^(?P<label>Vessel Registration Identification)\s+IMO\s+(?P<rest>.+)$", re.I)
_VESSEL_REG = re.compile(r"^(?P<label>Vessel Registration Identification)\s+(?P<rest>.+)$", re.I)
_CRYPTO = re.compile(r"^(?P<label>Digital Currency Address\s*-\s*(?P<coin>[A-Za-z0-9]+))\s+(?P<value>\S+)$")
_ALIAS = re.compile(
    r"^(?P<kind>[afnd])\.k\.a\.\s*'(?P<value>.*)'$|^(?P<dba>d)\.b\.a\.\s*'(?P<dvalue>.*)'$", re.S
)
_LINKED = re.compile(r"^Linked To:\s*(?P<value>.+)$", re.I)
_DOB = re.compile(r"^DOB:?\s+(?P<value>.+)$")
_POB = re.compile(r"^POB:?\s+(?P<value>.+)$")
_NATIONALITY = re.compile(r"^(?P<kind>nationality|citizen):?\s+(?!of Registration)(?P<value>.+)$", re.I)
_GENDER = re.compile(r"^Gender:?\s+(?P<value>Male|Female)$", re.I)
_ALT = re.compile(r"^alt\.\s+", re.I)
_DETAILS = re.compile(r"\s+(?=(?:issued|expires|Issue Date|Expire Date)\b)", re.I)
_TRAILING_PAREN = re.compile(r"\s*\(([^()]*)\)$")


@dataclass(frozen=True, slots=True)
class _FactForm:
    pattern: re.Pattern[str]
    props: tuple[str, ...]
    value_kind: str = "text"  # "text", "date" or "country"


def _fact(regex: str, *props: str, value_kind: str = "text", flags: int = 0) -> _FactForm:
    return _FactForm(re.compile(regex, flags), props, value_kind)


_FACT_FORMS: tuple[_FactForm, ...] = (
    _fact(r"^(?P<label>Organization Established Date)\s+(?P<value>.+)$", "incorporationDate", value_kind="date"),
    _fact(r"^(?P<label>Organization Type):\s*(?P<value>.+)$", "sector"),
    _fact(r"^(?P<label>Target Type)\s+(?P<value>.+)$", "classification"),
    _fact(r"^(?P<label>Secondary sanctions risk):\s*(?P<value>.+)$"),
    _fact(r"^(?P<label>Additional Sanctions Information)\s*-\s*(?P<value>.+)$"),
    _fact(r"^(?P<label>Transactions Prohibited For Persons Owned or Controlled By U\.S\. Financial Institutions)"
          r":\s*(?P<value>.+)$"),
    _fact(r"^(?P<label>Executive Order \d+ Directive Determination)\s*-\s*(?P<value>.+)$"),
    _fact(r"^(?P<label>Executive Order \d+ information):\s*(?P<value>.+)$", flags=re.I),
    _fact(r"^(?P<label>Executive Order \d+ Directive Information)\s*-?\s*(?P<value>.+)$", flags=re.I),
    _fact(r"^(?P<label>CAATSA Section \d+ Information):\s*(?P<value>.+)$"),
    _fact(r"^(?P<label>IFCA Determination)\s*-\s*(?P<value>.+)$"),
    _fact(r"^(?P<label>(?:Listing|Effective) Date \([^)]*\)):\s*(?P<value>.+)$"),
    _fact(r"^(?P<label>For more information on directives), please visit the following link:\s*(?P<value>.+)$",
          flags=re.I),
    _fact(r"^(?P<label>Aircraft Model)\s+(?P<value>.+)$", "model"),
    _fact(r"^(?P<label>Aircraft Manufacture Date)\s+(?P<value>.+)$", "buildDate", value_kind="date"),
    _fact(r"^(?P<label>Aircraft Operator)\s+(?P<value>.+)$"),
    _fact(r"^(?P<label>Vessel Year of Build)\s+(?P<value>.+)$", "buildDate", value_kind="date"),
    _fact(r"^(?P<label>Former Vessel Flag)\s+(?P<value>.+)$", "pastFlags", value_kind="country"),
    _fact(r"^(?P<label>Other Vessel Type)\s+(?P<value>.+)$", "pastTypes"),
    _fact(r"^(?P<label>Nationality of Registration)\s+(?P<value>.+)$", "country", value_kind="country"),
    _fact(r"^(?P<label>Position):\s*(?P<value>.+)$", "position"),
    _fact(r"^(?P<label>Occupation):\s*(?P<value>.+)$", "profession"),
    _fact(r"^(?P<label>ethnicity)\s+(?P<value>.+)$", "ethnicity"),
    _fact(r"^(?P<value>(?:and )?all (?:offices|branches|other locations) worldwide)(?P<label>)$", flags=re.I),
)  # fmt: skip

_LINK_ABBREVIATION = re.compile(
    r"(?:\b[A-Za-z]{1,2}\.){2,}$|\b(?:INC|LTD|LTDA|CO|CORP|CIA|JR|SR|BHD|PTE|AB|AG|NV|BV|SA|SL|SRL|ST|PLC)\.$",
    re.I,
)


def _split_items(remarks: str) -> list[str]:
    """``;``-separated items; a ``;`` inside balanced parentheses does not split."""
    items: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(remarks):
        if ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif ch == ";" and depth == 0:
            items.append(remarks[start:i])
            start = i + 1
    items.append(remarks[start:])
    out: list[str] = []
    for item in items:
        if item.count("(") > item.count(")"):  # never closed (a cut field): split plainly
            out.extend(item.split(";"))
        else:
            out.append(item)
    return [s.strip() for s in out]


def _split_value(rest: str) -> tuple[str, str | None, str]:
    """``"T321642 (Colombia) issued 2001"`` -> ("T321642", "co", "issued 2001")."""
    parts = _DETAILS.split(rest, maxsplit=1)
    value, details = parts[0].strip(), (parts[1].strip() if len(parts) > 1 else "")
    country: str | None = None
    if m := _TRAILING_PAREN.search(value):
        inner = m.group(1).strip()
        code = resolve_country(inner)
        spaced = m.start() < len(value) and value[m.start()].isspace()
        if code:
            country, value = code, value[: m.start()].strip()
        elif spaced and re.fullmatch(r"[A-Za-z .,'&-]+", inner) and len(inner) > 3:
            value = value[: m.start()].strip()
            details = f"({inner}) {details}".strip()
    return value.strip(" ,;"), country, details


@dataclass
class _Builder:
    """Collects one OFAC entry's parsed values while its entity is filled in."""

    entity: EntityProxy
    aliases: list[str] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    identifiers: list[ListedIdentifier] = field(default_factory=list)
    linked_to: list[str] = field(default_factory=list)
    websites: list[str] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    unparsed: list[str] = field(default_factory=list)
    gender: str | None = None

    def identifier(self, kind: str, value: str, country: str | None, label: str, details: str,
                   props: tuple[str, ...]) -> None:  # fmt: skip
        self.identifiers.append(ListedIdentifier(kind, value, country, label, details))
        _put(self.entity, props, value, label)

    def fact(self, label: str, value: str, props: tuple[str, ...] = ()) -> None:
        self.facts.append((label, value))
        if props:
            _put(self.entity, props, value, label)
        else:
            self.entity.add("notes", f"{label}: {value}" if label else value)


def _read_item(b: _Builder, item: str) -> bool:
    """Parse one remark item into ``b``; False if it is not understood (the caller keeps it)."""
    if m := _ALIAS.match(item):
        value = _squash(m.group("value") if m.group("kind") else m.group("dvalue"))
        if not value:
            return False
        b.aliases.append(value)
        prop = "previousName" if m.group("kind") == "f" else "alias"
        _put(b.entity, (prop, "alias"), value, "")
        return True
    if m := _LINKED.match(item):
        b.linked_to.append(_squash(m.group("value")))
        b.entity.add("notes", f"Linked To: {_squash(m.group('value'))}")
        return True
    body = _ALT.sub("", item)
    if m := _DOB.match(body):
        dates = parse_list_date(m.group("value"))
        if dates is None:
            return False
        for d in dates:
            b.birth_dates.append(d)
            _put(b.entity, ("birthDate",), d, "DOB")
        return True
    if m := _POB.match(body):
        place = _squash(m.group("value"))
        b.birth_places.append(place)
        _put(b.entity, ("birthPlace",), place, "POB")
        if code := resolve_country(place.rsplit(",", 1)[-1]):
            b.entity.add("birthCountry", code, quiet=True)
        return True
    if m := _NATIONALITY.match(body):
        code = resolve_country(m.group("value"))
        if code is None:
            return False
        if code not in b.nationalities:
            b.nationalities.append(code)
        if m.group("kind").lower() == "citizen":
            _put(b.entity, ("citizenship", "nationality", "country"), code, "citizen")
        else:
            _put(b.entity, ("nationality", "country"), code, "nationality")
        return True
    if m := _GENDER.match(body):
        b.gender = m.group("value").lower()
        _put(b.entity, ("gender",), b.gender, "Gender")
        return True
    if m := _CRYPTO.match(body):
        b.identifier("crypto", m.group("value"), None, m.group("label"), "", ())
        return True
    if m := _IMO.match(body):
        value, country, details = _split_value(m.group("rest"))
        if not re.fullmatch(r"\d{7}", value):
            return False
        b.identifier("imo", value, country, f"{m.group('label')} IMO", details, ("imoNumber",))
        return True
    if m := _VESSEL_REG.match(body):
        value, country, details = _split_value(m.group("rest"))
        if not value:
            return False
        b.identifier("registration", value, country, m.group("label"), details, ("registrationNumber",))
        return True
    if m := re.match(r"^(?P<label>Website)\s+(?P<value>\S+)$", body, re.I):
        b.websites.append(m.group("value"))
        _put(b.entity, ("website",), m.group("value"), "Website")
        return True
    lowered = body.lower()
    for form in _ID_BY_PREFIX.get(lowered[:2], ()):
        n = len(form.label)
        if lowered.startswith(form.label.lower()) and len(body) > n and body[n] in " :#":
            value, country, details = _split_value(body[n:].lstrip(" :#"))
            if not value or (form.needs_digit and not any(ch.isdigit() for ch in value)):
                return False
            b.identifier(form.kind, value, country, body[:n], details, form.props)
            return True
    for fact in _FACT_FORMS:
        if m := fact.pattern.match(body):
            label, value = m.group("label"), _squash(m.group("value"))
            if fact.value_kind == "date":
                b.facts.append((label, value))
                for d in parse_list_date(value) or ():
                    _put(b.entity, fact.props, d, label)
                if parse_list_date(value) is None:
                    b.entity.add("notes", f"{label}: {value}")
            elif fact.value_kind == "country":
                code = resolve_country(value)
                b.facts.append((label, value))
                if code:
                    _put(b.entity, fact.props, code, label)
                else:
                    b.entity.add("notes", f"{label}: {value}")
            else:
                b.fact(label, value, fact.props)
            return True
    return False


def _final_dot(item: str, known_names: Collection[str]) -> str:
    """Drop the full stop OFAC ends Remarks with, unless it belongs to the last item's text."""
    if not item.endswith("."):
        return item
    if m := _LINKED.match(item):
        name = _squash(m.group("value"))
        if name in known_names:
            return item
        if name[:-1] in known_names:
            return item[:-1]
        return item if _LINK_ABBREVIATION.search(name) else item[:-1]
    return item[:-1]


def _is_empty(cell: str) -> bool:
    return cell.strip() in ("", "-0-")


def _cell(cell: str) -> str:
    return "" if _is_empty(cell) else _squash(cell)


_SCHEMAS = {"individual": "Person", "vessel": "Vessel", "aircraft": "Airplane", "": "Organization"}


def _split_programs(cell: str) -> tuple[str, ...]:
    parts = (p.strip(" []") for p in cell.split("] ["))
    return tuple(p for p in parts if p)


def _person_names(listed: str) -> tuple[str, str | None, str | None, str | None]:
    """Split OFAC's "SURNAME, Given Names[, Jr.]" into (natural order name, given, surname, suffix)."""
    parts = [p.strip() for p in listed.split(",")]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return listed, None, None, None
    surname, given = parts[0], parts[1]
    suffix = ", ".join(parts[2:]) or None
    natural = f"{given} {surname}" + (f" {suffix}" if suffix else "")
    return natural, given, surname, suffix


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise WatchListError(
                f"line {start}: not readable as CSV ({exc})", {f"line {start}": str(exc)}
            ) from exc
        yield start, row


def read_ofac_sdn(
    data: bytes, *, source: str, published: date | None = None, programs: Collection[str] | None = None
) -> WatchList:
    """Read OFAC's ``sdn.csv`` (or the same columns with a header row); see the module docstring.

    ``programs``: keep only entries listed under at least one of these programme codes.
    """
    text = _decode(data)
    rows: list[tuple[int, list[str]]] = []
    for line, row in _csv_rows(text):
        if not row or all(not c.strip() or c.strip() == _EOF for c in row):
            continue  # blank line, or the \x1a end-of-file line
        rows.append((line, row))
    if not rows:
        raise WatchListError("the file is empty")
    first_line, first = rows[0]
    if first[0].strip().lstrip("\ufeff").lower() == "ent_num":
        seen = [c.strip().lower() for c in first]
        if seen != [c.lower() for c in OFAC_COLUMNS]:
            problem = f"header is {', '.join(first)}; expected {', '.join(OFAC_COLUMNS)}"
            raise WatchListError(f"line {first_line}: {problem}", {f"line {first_line}": problem})
        rows = rows[1:]
    for line, row in rows:
        if len(row) != len(OFAC_COLUMNS):
            problem = (f"expected {len(OFAC_COLUMNS)} columns ({', '.join(OFAC_COLUMNS)}), found {len(row)}"
                       f": {','.join(row)[:80]!r}")  # fmt: skip
            raise WatchListError(f"line {line}: {problem}", {f"line {line}": problem})
        if not row[0].strip().isdigit():
            problem = f"ent_num must be a number, found {row[0][:40]!r}"
            raise WatchListError(f"line {line}: {problem}", {f"line {line}": problem})
        if _is_empty(row[1]):
            problem = f"entry {row[0].strip()} has no SDN_Name"
            raise WatchListError(f"line {line}: {problem}", {f"line {line}": problem})
    if not rows:
        raise WatchListError("the file holds a header row but no entries")

    seen_ids: dict[str, int] = {}
    for line, row in rows:
        ent = row[0].strip()
        if ent in seen_ids:
            problem = f"ent_num {ent} appears again (first on line {seen_ids[ent]})"
            raise WatchListError(f"line {line}: {problem}", {f"line {line}": problem})
        seen_ids[ent] = line

    wanted = {p.strip().upper() for p in programs} if programs is not None else None
    known_names = {_squash(row[1]) for _, row in rows}
    warnings: list[str] = []
    entries: list[WatchListEntry] = []
    for line, row in rows:
        entry_programs = _split_programs(_cell(row[3]))
        if wanted is not None and not wanted.intersection(p.upper() for p in entry_programs):
            continue
        entries.append(_ofac_entry(line, row, entry_programs, source, known_names, warnings))

    unparsed = sum(len(e.unparsed) for e in entries)
    if unparsed:
        labels = Counter(_unparsed_label(item) for e in entries for item in e.unparsed)
        common = ", ".join(f"{k!r} {v}" for k, v in labels.most_common(5))
        warnings.append(f"{unparsed} remark items in {sum(1 for e in entries if e.unparsed)} entries were not "
                        f"understood and are kept in remarks (most common: {common})")  # fmt: skip
    return WatchList(
        code=OFAC_CODE,
        title=OFAC_TITLE,
        publisher=OFAC_PUBLISHER,
        published=published,
        source=source,
        sha256=hashlib.sha256(data).hexdigest(),
        entries=tuple(entries),
        warnings=tuple(warnings),
    )


def _unparsed_label(item: str) -> str:
    return " ".join(_ALT.sub("", item).split()[:2])


def _ofac_entry(
    line: int, row: list[str], programs: tuple[str, ...], source: str, known_names: Collection[str],
    warnings: list[str],
) -> WatchListEntry:  # fmt: skip
    ent_num = row[0].strip()
    listed = row[1].strip()
    sdn_type = _cell(row[2]).lower()
    schema = _SCHEMAS.get(sdn_type)
    if schema is None:
        schema = "LegalEntity"
        warnings.append(
            f"line {line}: entry {ent_num} has unknown SDN_Type {row[2].strip()!r}; read as LegalEntity"
        )
    entity = model.make_entity(schema)
    entity.id = f"{OFAC_CODE}-{ent_num}"
    name = _squash(listed)
    other_names: list[str] = []
    if schema == "Person":
        natural, given, surname, suffix = _person_names(name)
        if given and surname:
            entity.add("firstName", given)
            entity.add("lastName", surname)
            if suffix:
                entity.add("nameSuffix", suffix)
            other_names.append(name)
            name = natural
    entity.add("name", [name, *other_names])
    entity.add("topics", "sanction")
    entity.add("program", list(programs))
    entity.add("publisher", "OFAC")
    if source.startswith(("http://", "https://")):
        entity.add("sourceUrl", source)

    b = _Builder(entity)
    title = _cell(row[4])
    if title:
        _put(entity, ("position",), title, "Title")
    vessel_cols = (("Call sign", row[5], ("callSign",)), ("Vessel type", row[6], ("type",)),
                   ("Tonnage", row[7], ("tonnage",)), ("GRT", row[8], ("grossRegisteredTonnage",)))  # fmt: skip
    for label, raw, props in vessel_cols:
        value = _cell(raw)
        if value:
            b.facts.append((label, value))
            clean = value.replace(",", "") if label in ("Tonnage", "GRT") else value
            _put(entity, props, clean, label)
    if flag := _cell(row[9]):
        b.facts.append(("Flag", flag))
        code = resolve_country(flag)
        if code:
            _put(entity, ("flag", "country"), code, "Flag")
        else:
            entity.add("notes", f"Flag: {flag}")
    if owner := _cell(row[10]):
        b.fact("Owner", owner)

    raw_remarks = _cell(row[11])
    if raw_remarks:
        items = _split_items(raw_remarks)
        # Published remarks end in "."; one cut at the field's limit may end in "U.S. " (not squashed here).
        cut = not row[11].rstrip("\r\n").endswith(".")
        if cut:
            tail = items.pop() if items and items[-1] else None
            if items and not items[-1]:
                items.pop()
            warnings.append(
                f"line {line}: entry {ent_num}: Remarks end without a full stop after {len(raw_remarks)} characters "
                f"(the published field is cut at 1,000)"
                + (f"; the cut item {tail!r} is kept in remarks unparsed" if tail else "")
            )
        elif items:
            items[-1] = _final_dot(items[-1], known_names)
        for item in items:
            if title and item.lower() == title.lower():
                continue  # the Title column repeated in Remarks
            if item and not _read_item(b, item):
                b.unparsed.append(item)
        if cut and tail:
            b.unparsed.append(tail)
    if b.unparsed:
        entity.add("notes", "; ".join(b.unparsed))

    return WatchListEntry(
        list_code=OFAC_CODE,
        entry_id=ent_num,
        schema=schema,
        name=name,
        aliases=tuple(b.aliases),
        programs=programs,
        birth_dates=tuple(b.birth_dates),
        nationalities=tuple(b.nationalities),
        identifiers=tuple(b.identifiers),
        addresses=(),
        remarks="; ".join(b.unparsed),
        entity=entity,
        listed_name=listed,
        other_names=tuple(other_names),
        linked_to=tuple(b.linked_to),
        birth_places=tuple(b.birth_places),
        gender=b.gender,
        title=title,
        websites=tuple(b.websites),
        facts=tuple(b.facts),
        unparsed=tuple(b.unparsed),
        raw_remarks=raw_remarks,
        line=line,
    )


# --------------------------------------------------------------------------------------------------
# FollowTheMoney JSON lines

_ENTRY_SCHEMATA = ("LegalEntity", "Vessel", "Airplane")
# Identifier properties read back from an FtM entity, with the kind they stand for.
_FTM_ID_PROPS: tuple[tuple[str, str], ...] = (
    ("passportNumber", "passport"), ("idNumber", "national_id"), ("socialSecurityNumber", "national_id"),
    ("taxNumber", "tax_id"), ("vatCode", "tax_id"), ("innCode", "tax_id"),
    ("registrationNumber", "registration"), ("leiCode", "registration"), ("uscCode", "registration"),
    ("ogrnCode", "registration"), ("licenseNumber", "registration"),
    ("email", "email"), ("phone", "phone"), ("imoNumber", "imo"),
    ("mmsi", "other"), ("swiftBic", "other"), ("dunsCode", "other"), ("isinCode", "other"),
    ("bikCode", "other"), ("serialNumber", "other"), ("callSign", "other"),
)  # fmt: skip


def read_ftm_list(
    data: bytes, *, code: str, title: str, source: str, published: date | None = None
) -> WatchList:
    """Read FtM JSON lines. Persons, organisations, vessels and aircraft (LegalEntity and below,
    Vessel, Airplane) become entries; a Sanction's ``program`` is added to the entity it names, and
    Identification/Passport entities to their holder's identifiers; other schemata are counted in
    the warnings. Lines describing the same id are merged, as FtM streams allow.
    """
    text = _decode(data)
    proxies: dict[str, EntityProxy] = {}
    first_line: dict[str, int] = {}
    order: list[str] = []
    for line, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.strip() == _EOF:
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            problem = f"not a JSON object ({exc.msg} at column {exc.colno})"
            raise WatchListError(f"line {line}: {problem}", {f"line {line}": problem}) from exc
        if not isinstance(obj, dict) or not obj.get("id") or not isinstance(obj.get("schema"), str):
            problem = "expected an FtM entity: a JSON object with 'id', 'schema' and 'properties'"
            raise WatchListError(f"line {line}: {problem}", {f"line {line}": problem})
        if model.get(obj["schema"]) is None:
            problem = f"unknown FtM schema {obj['schema']!r}"
            raise WatchListError(f"line {line}: {problem}", {f"line {line}": problem})
        if not isinstance(obj.get("properties", {}), dict):
            problem = "'properties' must be an object of lists"
            raise WatchListError(f"line {line}: {problem}", {f"line {line}": problem})
        try:
            proxy = model.get_proxy(obj, cleaned=False)
        except (InvalidData, TypeError, ValueError) as exc:
            raise WatchListError(f"line {line}: {exc}", {f"line {line}": str(exc)}) from exc
        eid = str(proxy.id)
        if eid in proxies:
            try:
                proxies[eid].merge(proxy)
            except InvalidData as exc:
                problem = (
                    f"entity {eid} repeats with a schema that does not fit (first on line {first_line[eid]})"
                )
                raise WatchListError(f"line {line}: {problem}", {f"line {line}": problem}) from exc
        else:
            proxies[eid] = proxy
            first_line[eid] = line
            order.append(eid)
    if not proxies:
        raise WatchListError("the file is empty")

    warnings: list[str] = []
    extra_programs: dict[str, list[str]] = {}
    extra_ids: dict[str, list[ListedIdentifier]] = {}
    others: Counter[str] = Counter()
    listed = [eid for eid in order if any(proxies[eid].schema.is_a(s) for s in _ENTRY_SCHEMATA)]
    listed_set = set(listed)
    for eid in order:
        proxy = proxies[eid]
        if eid in listed_set:
            continue
        if proxy.schema.is_a("Sanction"):
            programs = proxy.get("program") or proxy.get("programId")
            for target in proxy.get("entity"):
                if target in listed_set:
                    extra_programs.setdefault(target, []).extend(programs)
                else:
                    warnings.append(
                        f"line {first_line[eid]}: sanction {eid} names entity {target}, not in the file"
                    )
        elif proxy.schema.is_a("Identification"):
            kind = "passport" if proxy.schema.is_a("Passport") else "national_id"
            for holder in proxy.get("holder"):
                for number in proxy.get("number"):
                    country = proxy.first("country")
                    extra_ids.setdefault(holder, []).append(
                        ListedIdentifier(kind, number, country, proxy.first("type") or proxy.schema.label)
                    )
        else:
            others[proxy.schema.name] += 1
    if others:
        summary = ", ".join(f"{k} {v}" for k, v in others.most_common())
        warnings.append(f"{sum(others.values())} entities of other schemata are not list entries: {summary}")

    entries: list[WatchListEntry] = []
    for eid in listed:
        proxy = proxies[eid]
        for program in extra_programs.get(eid, []):
            proxy.add("program", program)
        names = proxy.get("name")
        if not names:
            parts = [*proxy.get("firstName", quiet=True), *proxy.get("lastName", quiet=True)]
            if not parts:
                warnings.append(
                    f"line {first_line[eid]}: entity {eid} ({proxy.schema.name}) has no name; skipped"
                )
                continue
            names = [" ".join(parts)]
        aliases = list(
            dict.fromkeys([*proxy.get("alias"), *proxy.get("weakAlias"), *proxy.get("previousName")])
        )
        identifiers = [
            ListedIdentifier(kind, value, None, prop)
            for prop, kind in _FTM_ID_PROPS
            for value in proxy.get(prop, quiet=True)
        ]
        identifiers.extend(extra_ids.get(eid, []))
        nationalities = list(dict.fromkeys(
            [*proxy.get("nationality", quiet=True), *proxy.get("citizenship", quiet=True)]))  # fmt: skip
        gender = proxy.first("gender", quiet=True)
        entries.append(
            WatchListEntry(
                list_code=code,
                entry_id=eid,
                schema=proxy.schema.name,
                name=names[0],
                aliases=tuple(aliases),
                programs=tuple(dict.fromkeys(proxy.get("program"))),
                birth_dates=tuple(proxy.get("birthDate", quiet=True)),
                nationalities=tuple(nationalities),
                identifiers=tuple(identifiers),
                addresses=tuple(proxy.get("address")),
                remarks="; ".join(proxy.get("notes")),
                entity=proxy,
                listed_name=names[0],
                other_names=tuple(names[1:]),
                birth_places=tuple(proxy.get("birthPlace", quiet=True)),
                gender=gender,
                title="; ".join(proxy.get("position", quiet=True)),
                websites=tuple(proxy.get("website", quiet=True)),
                line=first_line[eid],
            )
        )
    if not entries:
        raise WatchListError(
            "no list entries: the file holds no Person, Organization, Vessel or Airplane entities"
        )
    return WatchList(
        code=code,
        title=title,
        publisher="",
        published=published,
        source=source,
        sha256=hashlib.sha256(data).hexdigest(),
        entries=tuple(entries),
        warnings=tuple(warnings),
    )


# --------------------------------------------------------------------------------------------------
# format detection


def detect_format(data: bytes) -> str:
    """``"ofac-sdn"`` or ``"ftm"`` from the first record; WatchListError naming what was seen otherwise."""
    text = _decode(data)
    head = text.lstrip("\ufeff \t\r\n")
    first_line = head.split("\n", 1)[0].rstrip("\r")
    if head.startswith("{"):
        try:
            obj = json.loads(first_line)
        except json.JSONDecodeError:
            obj = None
        if isinstance(obj, dict) and "schema" in obj and "id" in obj:
            return "ftm"
    else:
        try:
            row = next(csv.reader(io.StringIO(head, newline="")), [])
        except csv.Error:
            row = []
        if row and row[0].strip().lower() == "ent_num":
            return OFAC_CODE
        if row and row[0].strip().isdigit() and len(row) == len(OFAC_COLUMNS):
            return OFAC_CODE
    problem = (f"line 1 starts {first_line[:60]!r}: neither OFAC sdn.csv (12 columns, ent_num first) "
               f"nor FollowTheMoney JSON lines (objects with 'id' and 'schema')")  # fmt: skip
    raise WatchListError(f"unrecognised list format: {problem}", {"line 1": problem})


def read_watch_list(
    data: bytes,
    *,
    source: str,
    published: date | None = None,
    programs: Collection[str] = (),
    code: str | None = None,
    title: str | None = None,
) -> WatchList:
    """Read either format (see :func:`detect_format`). An FtM list takes its ``code`` and ``title``
    from the arguments (default: ``source``). ``programs``: keep only the entries listed under at least
    one of these programme codes (any case)."""
    wanted = {p.upper() for p in programs}
    if detect_format(data) == OFAC_CODE:
        return read_ofac_sdn(data, source=source, published=published, programs=wanted or None)
    listed = read_ftm_list(data, code=code or source, title=title or source, source=source, published=published)
    if wanted:
        kept = tuple(e for e in listed.entries if wanted & {p.upper() for p in e.programs})
        listed = dataclasses.replace(listed, entries=kept)
    return listed
