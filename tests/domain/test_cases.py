"""The case vocabulary (``domain/cases.py``): offences by code or label, and the status machine."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interdict.domain.cases import CaseStatus, Offence, may_move, parse_offences, writable

STATUSES = [s.value for s in CaseStatus]


@pytest.mark.parametrize(
    ("given_values", "codes", "bad"),
    [
        pytest.param(["drug_trafficking"], ["drug_trafficking"], [], id="code"),
        pytest.param(["Money laundering", "MONEY_LAUNDERING"], ["money_laundering"], [], id="label-and-repeat"),
        pytest.param(["cultivation-manufacture"], ["cultivation_manufacture"], [], id="hyphen"),
        pytest.param(["arson", "corruption", ""], ["corruption"], ["arson", ""], id="unknown-named"),
        pytest.param([], [], [], id="none"),
    ],
)
def test_offences_by_code_or_label(given_values: list[str], codes: list[str], bad: list[str]) -> None:
    assert parse_offences(given_values) == (codes, bad)


def test_every_offence_has_a_label() -> None:
    assert all(o.label and o.label[0].isupper() for o in Offence)


# The machine, written out: (from, to) pairs allowed.
ALLOWED = {("open", "suspended"), ("open", "closed"), ("suspended", "open"), ("suspended", "closed"),
           ("closed", "open")}


@given(st.sampled_from([*STATUSES, "archived"]), st.sampled_from([*STATUSES, "archived"]))
def test_moves(current: str, target: str) -> None:
    assert may_move(current, target) == ((current, target) in ALLOWED)


def test_only_a_closed_case_is_read_only() -> None:
    assert [writable(s) for s in STATUSES] == [True, True, False]
