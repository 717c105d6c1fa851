"""CSV cells that spreadsheet programs will not execute (CWE-1236)."""

from __future__ import annotations

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def cell(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(_TRIGGERS):
        return "'" + text
    return text
