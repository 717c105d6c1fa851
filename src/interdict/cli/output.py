"""`--format table|json|csv` for every command that prints data."""

from __future__ import annotations

import csv
import enum
import json
import sys
from collections.abc import Sequence
from datetime import date
from typing import Any

from rich.console import Console
from rich.table import Table

from interdict.domain.errors import BadInputError
from interdict.io.csvsafe import cell


class Format(enum.StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def emit(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: Format, title: str | None = None
) -> None:
    if fmt is Format.JSON:
        sys.stdout.write(json.dumps(list(rows), ensure_ascii=False, indent=2, default=str) + "\n")
    elif fmt is Format.CSV:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([cell(_flat(row.get(c))) for c in columns])
    else:
        table = Table(title=title)
        for c in columns:
            table.add_column(c)
        for row in rows:
            table.add_row(*[_flat(row.get(c)) for c in columns])
        Console().print(table)


def _flat(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def day_option(value: str | None, name: str) -> date | None:
    """A date given on the command line (YYYY-MM-DD), None when empty; otherwise an error naming the option
    and the value, which the commands turn into one line and exit code 1."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        message = f"{name} {value!r} is not a date; expected YYYY-MM-DD"
        raise BadInputError(message, {name.lstrip("-"): message}) from None
