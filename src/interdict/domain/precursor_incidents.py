"""Precursor incidents: what happened, to which chemicals and equipment, by which methods.

An incident is a stopped shipment, a suspicious order, a seizure of precursor chemicals or of
equipment (tableting machines, reactors...), a theft or a diversion. Its lines are chemicals (a
precursor of the catalogue, ``domain/substances.py``, with its quantity normalised by
``domain/quantities.py``) or equipment (a code below, with a count of units).

:meth:`IncidentRules.check` turns a draft into a checked incident or the list of problems, each naming
its field and value. :func:`aggregate` counts incidents, kilograms and equipment units by a key; it is
pure so that the statistics can be tested without a database.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from interdict.domain.errors import BadInputError
from interdict.domain.quantities import QuantityError, Unit, check_quantity, conversion, parse_unit
from interdict.domain.seizures import MAX_MASS_KG, FieldError, resolve_country
from interdict.domain.substances import find_precursor


class IncidentKind(enum.StrEnum):
    STOPPED_SHIPMENT = "stopped_shipment"
    SUSPICIOUS_ORDER = "suspicious_order"
    PRECURSOR_SEIZURE = "precursor_seizure"
    EQUIPMENT_SEIZURE = "equipment_seizure"
    THEFT = "theft"
    DIVERSION = "diversion"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]

    @property
    def needs_lines(self) -> bool:
        """Everything but a suspicious order names what was stopped, seized, stolen or diverted."""
        return self is not IncidentKind.SUSPICIOUS_ORDER

    @property
    def seizes_chemicals(self) -> bool:
        """Whether the chemicals of the incident were seized, and so count in the seizure statistics.
        A theft or a diversion lost them to the illicit market; a suspicious order shipped nothing."""
        return self in SEIZING_KINDS


KIND_LABELS: dict[IncidentKind, str] = {
    IncidentKind.STOPPED_SHIPMENT: "Stopped shipment",
    IncidentKind.SUSPICIOUS_ORDER: "Suspicious order",
    IncidentKind.PRECURSOR_SEIZURE: "Seizure of precursor chemicals",
    IncidentKind.EQUIPMENT_SEIZURE: "Seizure of equipment",
    IncidentKind.THEFT: "Theft",
    IncidentKind.DIVERSION: "Diversion",
}

SEIZING_KINDS = frozenset(
    {IncidentKind.STOPPED_SHIPMENT, IncidentKind.PRECURSOR_SEIZURE, IncidentKind.EQUIPMENT_SEIZURE}
)


class Method(enum.StrEnum):
    FALSE_DECLARATION = "false_declaration"
    FRONT_COMPANY = "front_company"
    DESIGNER_PRECURSOR = "designer_precursor"
    ORDER_SPLITTING = "order_splitting"
    DOMESTIC_DIVERSION = "domestic_diversion"
    FACILITY_THEFT = "facility_theft"
    ONLINE_ORDERING = "online_ordering"
    POSTAL_COURIER = "postal_courier"
    FREE_TRADE_ZONE = "free_trade_zone"
    FORGED_DOCUMENTS = "forged_documents"
    REPACKAGING = "repackaging"

    @property
    def label(self) -> str:
        return METHOD_LABELS[self]


METHOD_LABELS: dict[Method, str] = {
    Method.FALSE_DECLARATION: "False declaration or mislabelling",
    Method.FRONT_COMPANY: "Front or shell company",
    Method.DESIGNER_PRECURSOR: "Designer or pre-precursor to evade control",
    Method.ORDER_SPLITTING: "Order split under thresholds",
    Method.DOMESTIC_DIVERSION: "Diversion from domestic distribution",
    Method.FACILITY_THEFT: "Theft from a licensed facility",
    Method.ONLINE_ORDERING: "Online or marketplace ordering",
    Method.POSTAL_COURIER: "Postal or courier shipment",
    Method.FREE_TRADE_ZONE: "Free-trade-zone transit",
    Method.FORGED_DOCUMENTS: "Forged licence or documents",
    Method.REPACKAGING: "Repackaging",
}


class Equipment(enum.StrEnum):
    TABLETING_MACHINE = "tableting_machine"
    ENCAPSULATING_MACHINE = "encapsulating_machine"
    REACTOR = "reactor"
    HYDROGENATOR = "hydrogenator"
    DISTILLATION_APPARATUS = "distillation_apparatus"
    PILL_PRESS_DIE = "pill_press_die"
    OTHER_EQUIPMENT = "other_equipment"

    @property
    def label(self) -> str:
        return EQUIPMENT_LABELS[self]


EQUIPMENT_LABELS: dict[Equipment, str] = {
    Equipment.TABLETING_MACHINE: "Tableting machine (pill press)",
    Equipment.ENCAPSULATING_MACHINE: "Encapsulating machine",
    Equipment.REACTOR: "Reaction vessel (reactor)",
    Equipment.HYDROGENATOR: "Hydrogenator",
    Equipment.DISTILLATION_APPARATUS: "Distillation apparatus",
    Equipment.PILL_PRESS_DIE: "Pill press die or punch",
    Equipment.OTHER_EQUIPMENT: "Other equipment",
}

EQUIPMENT_UNIT = "units"
_EQUIPMENT_UNITS = {"", "unit", "units", "piece", "pieces", "pcs", "set", "sets"}
MAX_LINES = 50
MAX_EQUIPMENT_UNITS = 100_000
_TEXT_LIMITS = {"reference": 100, "place": 200, "summary": 300, "narrative": 20_000}


def _choices(values: Iterable[enum.StrEnum]) -> str:
    return ", ".join(v.value for v in values)


def _lookup(enum_type: type[enum.StrEnum], labels: dict[object, str], text: str) -> enum.StrEnum | None:
    """The member whose code or label is ``text`` (case, spaces and hyphens aside)."""
    key = text.strip().casefold().replace("-", "_").replace(" ", "_")
    for member in enum_type:
        if key in (member.value, labels[member].casefold().replace("-", "_").replace(" ", "_")):
            return member
    return None


def parse_kind(text: str) -> IncidentKind | None:
    found = _lookup(IncidentKind, KIND_LABELS, text)  # type: ignore[arg-type]
    return IncidentKind(found) if found else None


def parse_method(text: str) -> Method | None:
    found = _lookup(Method, METHOD_LABELS, text)  # type: ignore[arg-type]
    return Method(found) if found else None


def parse_equipment(text: str) -> Equipment | None:
    found = _lookup(Equipment, EQUIPMENT_LABELS, text)  # type: ignore[arg-type]
    return Equipment(found) if found else None


# -- drafts and checked incidents --------------------------------------------------------------------


@dataclass(frozen=True)
class ChemicalDraft:
    substance: str
    quantity: float | None
    unit: str


@dataclass(frozen=True)
class EquipmentDraft:
    equipment: str
    count: float | None
    unit: str = EQUIPMENT_UNIT


@dataclass(frozen=True)
class IncidentDraft:
    kind: str
    occurred_on: date | None
    country: str
    summary: str
    chemicals: Sequence[ChemicalDraft] = ()
    equipment: Sequence[EquipmentDraft] = ()
    methods: Sequence[str] = ()
    reference: str = ""
    place: str = ""
    narrative: str = ""
    origin_country: str = ""
    destination_country: str = ""
    transit_countries: Sequence[str] = ()


@dataclass(frozen=True)
class CheckedLine:
    """A line as stored: ``substance`` for a chemical, ``equipment`` for equipment."""

    item_kind: str  # chemical | equipment
    substance: str
    equipment: str
    reported_name: str
    quantity: float
    unit: str
    mass_kg: float | None
    count: float | None
    count_unit: str


@dataclass(frozen=True)
class CheckedIncident:
    kind: IncidentKind
    occurred_on: date
    country: str
    summary: str
    lines: tuple[CheckedLine, ...]
    methods: tuple[str, ...]
    reference: str
    place: str
    narrative: str
    origin_country: str
    destination_country: str
    transit_countries: tuple[str, ...]

    @property
    def chemicals(self) -> tuple[CheckedLine, ...]:
        return tuple(line for line in self.lines if line.item_kind == "chemical")

    @property
    def seized_chemicals(self) -> tuple[CheckedLine, ...]:
        """The chemical lines the seizure statistics count (none for thefts, diversions, orders)."""
        return self.chemicals if self.kind.seizes_chemicals else ()


def check_chemical(draft: ChemicalDraft, i: int, errors: list[FieldError]) -> CheckedLine | None:
    prefix, where = f"chemicals[{i}].", f"chemicals line {i + 1}"
    n = len(errors)
    substance = find_precursor(draft.substance) if draft.substance.strip() else None
    if not draft.substance.strip():
        errors.append(FieldError(prefix + "substance", f"{where}: the substance is required"))
    elif substance is None:
        errors.append(
            FieldError(
                prefix + "substance",
                f"{where}: {draft.substance!r} is not a precursor chemical of the catalogue "
                "(expected a precursor chemical's code or name, e.g. p2p, APAAN, ephedrine)",
            )
        )
    unit: Unit | None = None
    try:
        unit = parse_unit(draft.unit)
    except QuantityError as exc:
        errors.append(FieldError(prefix + "unit", f"{where}: {exc.message}"))
    if draft.quantity is None:
        errors.append(FieldError(prefix + "quantity", f"{where}: the quantity is required"))
    else:
        try:
            check_quantity(draft.quantity)
        except QuantityError as exc:
            errors.append(FieldError(prefix + "quantity", f"{where}: {exc.message}"))
    if substance is None or unit is None or len(errors) > n:
        return None
    try:
        conv = conversion(substance, unit)
    except QuantityError as exc:
        errors.append(FieldError(prefix + exc.field, f"{where}: {exc.message}"))
        return None
    assert draft.quantity is not None
    mass_kg, count = conv.apply(draft.quantity)
    if mass_kg is not None and mass_kg > MAX_MASS_KG:
        errors.append(
            FieldError(
                prefix + "quantity",
                f"{where}: {draft.quantity:g} {unit.value} is {mass_kg:,.0f} kg, above the plausible maximum",
            )
        )
        return None
    return CheckedLine(
        "chemical",
        substance.code,
        "",
        draft.substance[:200],
        draft.quantity,
        unit.value,
        mass_kg,
        count,
        conv.count_unit or "",
    )


def check_equipment(draft: EquipmentDraft, i: int, errors: list[FieldError]) -> CheckedLine | None:
    prefix, where = f"equipment[{i}].", f"equipment line {i + 1}"
    n = len(errors)
    code = parse_equipment(draft.equipment) if draft.equipment.strip() else None
    if code is None:
        errors.append(
            FieldError(
                prefix + "equipment",
                f"{where}: unknown equipment {draft.equipment!r}; expected one of {_choices(Equipment)}",
            )
        )
    count = draft.count
    if count is None or not (0 < count <= MAX_EQUIPMENT_UNITS) or count != int(count):
        errors.append(
            FieldError(
                prefix + "count",
                f"{where}: the count must be a whole number from 1 to {MAX_EQUIPMENT_UNITS:,} (got {count!r})",
            )
        )
    if draft.unit.strip().casefold() not in _EQUIPMENT_UNITS:
        errors.append(
            FieldError(prefix + "unit", f"{where}: equipment is counted in units, not {draft.unit!r}")
        )
    if code is None or count is None or len(errors) > n:
        return None
    return CheckedLine(
        "equipment", "", code.value, draft.equipment[:200], count, EQUIPMENT_UNIT, None, count, EQUIPMENT_UNIT
    )


def _country(value: str, name: str, errors: list[FieldError], required: bool = False) -> str:
    if not value.strip():
        if required:
            errors.append(FieldError(name, "is required (ISO 3166-1 code or English country name)"))
        return ""
    code = resolve_country(value)
    if code is None:
        errors.append(
            FieldError(name, f"unknown country {value!r} (use an ISO 3166-1 code such as TH or MMR)")
        )
        return ""
    return code


class IncidentRules:
    """Checks incident drafts against the vocabularies, the catalogue and the calendar of ``today``."""

    def __init__(self, today: date) -> None:
        self.today = today

    def check(self, d: IncidentDraft) -> tuple[CheckedIncident | None, list[FieldError]]:
        errors: list[FieldError] = []
        kind = parse_kind(d.kind)
        if kind is None:
            errors.append(
                FieldError(
                    "kind", f"unknown incident kind {d.kind!r}; expected one of {_choices(IncidentKind)}"
                )
            )
        self._date(d.occurred_on, errors)
        if not d.summary.strip():
            errors.append(FieldError("summary", "is required: one line saying what happened"))
        for name, limit in _TEXT_LIMITS.items():
            if len(getattr(d, name)) > limit:
                errors.append(
                    FieldError(name, f"must be at most {limit} characters (got {len(getattr(d, name))})")
                )
        country = _country(d.country, "country", errors, required=True)
        origin = _country(d.origin_country, "origin_country", errors)
        destination = _country(d.destination_country, "destination_country", errors)
        transit = tuple(
            dict.fromkeys(
                c for c in (_country(t, "transit_countries", errors) for t in d.transit_countries) if c
            )
        )
        methods = self._methods(d.methods, errors)
        lines = self._lines(kind, d, errors)
        if errors or kind is None or d.occurred_on is None:
            return None, errors
        checked = CheckedIncident(
            kind,
            d.occurred_on,
            country,
            d.summary.strip(),
            lines,
            methods,
            d.reference.strip(),
            d.place.strip(),
            d.narrative,
            origin,
            destination,
            transit,
        )
        return checked, []

    def _date(self, day: date | None, errors: list[FieldError]) -> None:
        if day is None:
            errors.append(FieldError("occurred_on", "is required (YYYY-MM-DD)"))
        elif day > self.today:
            errors.append(FieldError("occurred_on", f"{day.isoformat()} is in the future"))
        elif day.year < 1900:
            errors.append(FieldError("occurred_on", f"{day.isoformat()} is before 1900"))

    @staticmethod
    def _methods(values: Sequence[str], errors: list[FieldError]) -> tuple[str, ...]:
        out: list[str] = []
        for value in values:
            method = parse_method(value)
            if method is None:
                errors.append(
                    FieldError("methods", f"unknown method {value!r}; expected one of {_choices(Method)}")
                )
            else:
                out.append(method.value)
        return tuple(dict.fromkeys(out))

    @staticmethod
    def _lines(
        kind: IncidentKind | None, d: IncidentDraft, errors: list[FieldError]
    ) -> tuple[CheckedLine, ...]:
        if len(d.chemicals) > MAX_LINES or len(d.equipment) > MAX_LINES:
            errors.append(
                FieldError("lines", f"at most {MAX_LINES} chemical and {MAX_LINES} equipment lines")
            )
            return ()
        chemicals = [check_chemical(c, i, errors) for i, c in enumerate(d.chemicals)]
        equipment = [check_equipment(e, i, errors) for i, e in enumerate(d.equipment)]
        if kind is not None and kind.needs_lines and not d.chemicals and not d.equipment:
            errors.append(
                FieldError("lines", f"a {kind.label.lower()} needs at least one chemical or equipment line")
            )
        elif kind is IncidentKind.PRECURSOR_SEIZURE and not d.chemicals:
            errors.append(
                FieldError("chemicals", "a seizure of precursor chemicals needs at least one chemical line")
            )
        elif kind is IncidentKind.EQUIPMENT_SEIZURE and not d.equipment:
            errors.append(FieldError("equipment", "a seizure of equipment needs at least one equipment line"))
        return tuple(line for line in (*chemicals, *equipment) if line is not None)


# -- statistics ----------------------------------------------------------------------------------------


class StatsKey(enum.StrEnum):
    KIND = "kind"
    COUNTRY = "country"
    YEAR = "year"
    SUBSTANCE = "substance"
    EQUIPMENT = "equipment"
    METHOD = "method"


@dataclass(frozen=True)
class IncidentFacts:
    """What the statistics read of one incident and its lines."""

    kind: str
    country: str
    occurred_on: date
    methods: tuple[str, ...]
    lines: tuple[CheckedLine, ...] = field(default=())


@dataclass
class StatsRow:
    key: str
    incidents: int = 0
    mass_kg: float = 0.0
    equipment_units: float = 0.0


def _keys(fact: IncidentFacts, by: StatsKey) -> list[str]:
    if by is StatsKey.KIND:
        return [fact.kind]
    if by is StatsKey.COUNTRY:
        return [fact.country]
    if by is StatsKey.YEAR:
        return [str(fact.occurred_on.year)]
    if by is StatsKey.METHOD:
        return list(fact.methods)
    if by is StatsKey.SUBSTANCE:
        return list(dict.fromkeys(line.substance for line in fact.lines if line.item_kind == "chemical"))
    return list(dict.fromkeys(line.equipment for line in fact.lines if line.item_kind == "equipment"))


def aggregate(facts: Iterable[IncidentFacts], by: StatsKey) -> list[StatsRow]:
    """Incidents, kilograms of chemicals and units of equipment per key, most incidents first.

    By substance or equipment, a row sums only the lines of that substance or equipment; by any other
    key it sums every line of the incident. An incident with two methods counts once under each."""
    rows: dict[str, StatsRow] = defaultdict(lambda: StatsRow(""))
    for fact in facts:
        for key in _keys(fact, by):
            row = rows[key]
            row.key = key
            row.incidents += 1
            for line in fact.lines:
                if by is StatsKey.SUBSTANCE and line.substance != key:
                    continue
                if by is StatsKey.EQUIPMENT and line.equipment != key:
                    continue
                if line.item_kind == "chemical":
                    row.mass_kg += line.mass_kg or 0.0
                else:
                    row.equipment_units += line.count or 0.0
    return sorted(rows.values(), key=lambda r: (-r.incidents, -r.mass_kg, r.key))


# -- lines written as text (the web form, the command line) -------------------------------------------


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";")]


def _number(text: str, where: str, field_name: str, key: str) -> float:
    try:
        return float(text.replace(" ", "").replace("_", ""))
    except ValueError:
        raise _line_error(key, f"{where}: {field_name} {text!r} is not a number") from None


def _line_error(key: str, message: str) -> BadInputError:
    return BadInputError(f"the precursor incident is not valid: {key}: {message}", {key: message})


def parse_chemical_text(text: str, n: int) -> ChemicalDraft:
    """``"APAAN; 250; kg"`` (the unit defaults to kg); ``n`` numbers the line in messages."""
    parts = _split(text)
    where = f"chemicals line {n}"
    if len(parts) not in (2, 3) or not parts[0]:
        raise _line_error(f"chemicals[{n - 1}]", f"{where}: {text!r} is not 'substance; quantity; unit'")
    unit = parts[2] if len(parts) == 3 and parts[2] else "kg"
    return ChemicalDraft(parts[0], _number(parts[1], where, "quantity", f"chemicals[{n - 1}].quantity"), unit)


def parse_equipment_text(text: str, n: int) -> EquipmentDraft:
    """``"tableting_machine; 2"`` or ``"tableting_machine; 2; units"``."""
    parts = _split(text)
    where = f"equipment line {n}"
    if len(parts) not in (2, 3) or not parts[0]:
        raise _line_error(f"equipment[{n - 1}]", f"{where}: {text!r} is not 'equipment; count; units'")
    unit = parts[2] if len(parts) == 3 and parts[2] else EQUIPMENT_UNIT
    return EquipmentDraft(parts[0], _number(parts[1], where, "count", f"equipment[{n - 1}].count"), unit)
