"""`interdict network money`: trace money through payments in time order, aggregate flows, flag patterns
(``interdict.domain.money``), on a CSV edge list of payments or FtM JSON lines. Added to the ``network``
group of cli/network.py, which imports this module."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import typer

from interdict.cli.network import (
    AmountOpt,
    CurrencyOpt,
    FileArg,
    FormatOpt,
    IdOpt,
    InputOpt,
    NodesOpt,
    Source,
    SourceOpt,
    TargetOpt,
    TimeOpt,
    _json,
    _main,
    network_app,
)
from interdict.cli.output import Format, emit

__all__ = ["read_rates"]


@network_app.command("money")
def money_cmd(
    file: Path = FileArg,
    origin: str | None = typer.Option(
        None, "--origin", help="Account or person to trace from (or to, backward)"
    ),
    direction: str = typer.Option("forward", "--direction", help="forward or backward"),
    rates: Path | None = typer.Option(
        None,
        "--rates",
        exists=True,
        dir_okay=False,
        help="CSV of rates: date,currency,rate (base units per unit)",
    ),
    base: str = typer.Option("USD", "--base", help="Base currency of the rate table"),
    max_hops: int = typer.Option(5, "--max-hops"),
    min_amount: str = typer.Option(
        "0", "--min-amount", help="Do not follow payments under this (base currency)"
    ),
    max_gap_days: float | None = typer.Option(
        None, "--max-gap-days", min=0.001, max=36_500, help="Next payment within this many days"
    ),
    flows_by: str | None = typer.Option(None, "--flows", help="Aggregate flows by country or group"),
    flags: bool = typer.Option(False, "--flags", help="Flag fan-in/fan-out, pass-through and structuring"),
    threshold: str | None = typer.Option(
        None, "--threshold", help="Reporting threshold for structuring (base currency)"
    ),
    source: str | None = SourceOpt,
    target: str | None = TargetOpt,
    time: str | None = TimeOpt,
    amount: str | None = AmountOpt,
    currency: str | None = CurrencyOpt,
    record_id: str | None = IdOpt,
    nodes: Path | None = NodesOpt,
    input_format: str = InputOpt,
    fmt: Format = FormatOpt,
) -> None:
    """Trace money through payments in time order, aggregate flows, flag patterns."""
    src = Source(
        file,
        input_format,
        nodes,
        True,
        source=source,
        target=target,
        time=time,
        amount=amount,
        currency=currency,
        id=record_id,
    )
    _main().friendly(_money)(
        src,
        origin,
        direction,
        rates,
        base,
        max_hops,
        min_amount,
        max_gap_days,
        flows_by,
        flags,
        threshold,
        fmt,
    )


def read_rates(data: bytes, base: str) -> Any:
    """A rate table from CSV ``date,currency,rate``; bad cells named by row."""
    from interdict.domain.errors import BadInputError
    from interdict.domain.money import Rate, RateTable
    from interdict.io.edgelists import parse_time

    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    problems: dict[str, str] = {}
    out = []
    for n, row in enumerate(rows, start=2):
        try:
            out.append(
                Rate(
                    parse_time(row.get("date") or "").date(),
                    (row.get("currency") or "").strip().upper(),
                    Decimal((row.get("rate") or "").strip()),
                )
            )
        except (ValueError, InvalidOperation):
            got = ",".join(row.get(k) or "" for k in ("date", "currency", "rate"))
            problems[f"row {n}"] = f"expected date,currency,rate (e.g. 2024-01-31,EUR,1.08), got {got!r}"
    if problems:
        raise BadInputError(
            "the rate table was not read: " + "; ".join(f"{k}: {v}" for k, v in list(problems.items())[:5]),
            problems,
        )
    return RateTable(base, out)


def _decimal(value: str, name: str) -> Decimal:
    from interdict.domain.errors import BadInputError

    try:
        return Decimal(value)
    except InvalidOperation:
        raise BadInputError(f"--{name} {value!r} is not a number", {name: value}) from None


def _money(
    src: Source,
    origin: str | None,
    direction: str,
    rates_file: Path | None,
    base: str,
    max_hops: int,
    min_amount: str,
    gap: float | None,
    flows_by: str | None,
    flags: bool,
    threshold: str | None,
    fmt: Format,
) -> None:
    from interdict.domain.errors import BadInputError
    from interdict.domain.money import FlagRules, RateTable, TraceRules, flows, trace
    from interdict.domain.money import flags as find_flags

    if not (origin or flows_by or flags):
        raise BadInputError("give --origin ACCOUNT, --flows country|group or --flags", {"origin": "missing"})
    net = src.load()
    rates = read_rates(rates_file.read_bytes(), base) if rates_file else RateTable(base)
    data: dict[str, Any] = {}
    if origin:
        rules = TraceRules(
            direction, max_hops, _decimal(min_amount, "min-amount"), timedelta(days=gap) if gap else None
        )
        data["trace"] = trace(net, origin, rates, rules).as_dict()
    if flows_by:
        data["flows"] = [f.as_dict() for f in flows(net, rates, flows_by)]
    if flags:
        fr = FlagRules(threshold=_decimal(threshold, "threshold") if threshold else None)
        data["flags"] = [f.as_dict() for f in find_flags(net, rates, fr)]
    if fmt is Format.JSON:
        _json(data)
        return
    if "trace" in data:
        t = data["trace"]
        emit(
            t["steps"],
            ["hop", "time", "from", "to", "amount", "currency", "base_amount", "id"],
            fmt,
            f"Money {t['direction']} from {t['origin']} ({t['base_currency']})",
        )
        if t["undated_payments"] or t["below_threshold"]:
            typer.echo(
                f"not followed: {t['undated_payments']} undated, {t['below_threshold']} under --min-amount",
                err=True,
            )
    if "flows" in data:
        emit(data["flows"], ["from", "to", "total", "payments"], fmt, f"Flows by {flows_by} ({rates.base})")
    if "flags" in data:
        emit(data["flags"], ["kind", "node", "text"], fmt, "Flags")
