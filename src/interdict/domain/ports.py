"""Where a seizure happened: the location types and the catalogue of ports and crossings.

Seizure reports name a port by code or by name, in several languages and often misspelt. The
catalogue (``interdict/data/ports.json``) gives every place one stable code so that reports from
different agencies count against the same port, and so that the risk ranking of air, sea and land
ports for joint interdiction compares like with like. Codes follow UN/LOCODE where a place has one;
``IATA:``, ``XING:`` and ``SITE:`` codes cover the rest (the scheme is in the data file).
"""

from __future__ import annotations

import enum
import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

from rapidfuzz import fuzz, process


class LocationType(enum.StrEnum):
    """Where along a route a seizure was made; every type but inland is a kind of port."""

    INLAND = "inland"
    BORDER_CROSSING = "border_crossing"
    AIRPORT = "airport"
    SEAPORT = "seaport"
    RIVER_PORT = "river_port"
    POSTAL_HUB = "postal_hub"

    @property
    def label(self) -> str:
        return LOCATION_TYPE_LABELS[self]


LOCATION_TYPE_LABELS: dict[LocationType, str] = {
    LocationType.INLAND: "Inland (road, rail, premises)",
    LocationType.BORDER_CROSSING: "Land border crossing",
    LocationType.AIRPORT: "Airport",
    LocationType.SEAPORT: "Seaport",
    LocationType.RIVER_PORT: "River port",
    LocationType.POSTAL_HUB: "Postal or courier hub",
}

SUGGEST_CUTOFF = 75.0  # rapidfuzz WRatio below which a name is not worth suggesting
SUGGEST_MARGIN = 10.0  # and suggestions this far behind the best one are noise, not alternatives
_LABELLED = re.compile(r"^(?P<name>.*)\((?P<code>[^()]+)\)\s*$")


@dataclass(frozen=True)
class Port:
    """One port, airport, border crossing (one side of it) or postal hub."""

    code: str
    name: str
    names_local: tuple[str, ...]
    country: str
    kind: LocationType
    lat: float
    lon: float
    counterpart_country: str | None
    source: str

    @property
    def label(self) -> str:
        """How a port is shown in messages and pick lists, e.g. ``Laem Chabang (THLCH)``."""
        return f"{self.name} ({self.code})"


def _key(text: str) -> str:
    """Comparison form of a name: casefolded, with runs of whitespace collapsed."""
    return " ".join(text.split()).casefold()


class Ports:
    """The catalogue: look up by code, resolve what a reporter typed, suggest near misses."""

    def __init__(self, ports: list[Port]) -> None:
        self._by_code = {p.code.casefold(): p for p in ports}
        if len(self._by_code) != len(ports):
            raise ValueError("port codes must be unique (case-insensitively)")
        self._ports = tuple(ports)

    def __iter__(self) -> Iterator[Port]:
        return iter(self._ports)

    def __len__(self) -> int:
        return len(self._ports)

    def get(self, code: str) -> Port | None:
        """The port with this code, any letter case."""
        return self._by_code.get(code.strip().casefold())

    def in_country(self, country: str) -> list[Port]:
        """Ports on this country's side, in catalogue order."""
        cc = country.strip().upper()
        return [p for p in self._ports if p.country == cc]

    def resolve(self, text: str, country: str | None = None) -> Port | None:
        """The port meant by ``text``: a code, ``Name (CODE)`` as ``label`` writes it, or an exact name.

        Names (English or local) match casefolded and only exactly; a name shared by ports in
        several countries (Torkham) resolves only with ``country`` given. No fuzzy guess is ever
        taken as an answer: near misses are for ``suggest`` to offer to a person.
        """
        port = self.get(text) or self._from_label(text)
        if port is not None:
            return port if country is None or port.country == country.strip().upper() else None
        key = _key(text)
        matches = [p for p in self._candidates(country) if key in {_key(n) for n in (p.name, *p.names_local)}]
        return matches[0] if len(matches) == 1 else None

    def _from_label(self, text: str) -> Port | None:
        found = _LABELLED.match(text.strip())
        return self.get(found["code"]) if found else None

    def suggest(self, text: str, country: str | None = None, n: int = 3) -> list[str]:
        """Labels (``Name (CODE)``) of the ports closest to ``text``, best first, for "did you mean".

        Names, local names and codes are all compared, so a misspelt name or code both find the port.
        Only close matches are offered, and only those nearly as close as the best.
        """
        best: dict[str, float] = {}
        choices = {
            (p.code, i): choice
            for p in self._candidates(country)
            for i, choice in enumerate((p.name, p.code, *p.names_local))
        }
        hits = process.extract(
            text, choices, scorer=fuzz.WRatio, processor=_key, limit=None, score_cutoff=SUGGEST_CUTOFF
        )
        for _, score, (code, _) in hits:
            best[code] = max(best.get(code, 0.0), score)
        floor = max(best.values(), default=0.0) - SUGGEST_MARGIN
        ranked = sorted((c for c in best if best[c] >= floor), key=lambda c: (-best[c], c))[:n]
        return [self._by_code[code.casefold()].label for code in ranked]

    def _candidates(self, country: str | None) -> list[Port] | tuple[Port, ...]:
        return self.in_country(country) if country else self._ports


def port_from_json(row: dict[str, Any]) -> Port:
    """One catalogue row; unknown kinds fail loudly here rather than at a seizure report."""
    counterpart = row.get("counterpart_country")
    return Port(
        code=str(row["code"]),
        name=str(row["name"]),
        names_local=tuple(str(n) for n in row.get("names_local", ())),
        country=str(row["country"]),
        kind=LocationType(row["kind"]),
        lat=float(row["lat"]),
        lon=float(row["lon"]),
        counterpart_country=str(counterpart) if counterpart else None,
        source=str(row["source"]),
    )


@functools.cache
def ports() -> Ports:
    """The catalogue shipped with the package, read once."""
    text = resources.files("interdict.data").joinpath("ports.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return Ports([port_from_json(row) for row in data["ports"]])
