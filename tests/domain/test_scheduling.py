"""The scheduling rules without a database: jurisdictions, timelines, status on a day, the gap rule."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interdict.domain.errors import BadInputError
from interdict.domain.scheduling import (
    NOT_CONTROLLED,
    REGIONAL_BODIES,
    Answer,
    Basis,
    Interval,
    JurisdictionKind,
    apply,
    gap_rows,
    group_cell,
    jurisdiction,
    place,
    status_on,
    un_answer,
    un_schedule_label,
)
from interdict.domain.substances import catalogue

D = date


@pytest.mark.parametrize(
    ("code", "kind", "name"),
    [
        pytest.param("UN", JurisdictionKind.INTERNATIONAL, "United Nations drug conventions", id="un"),
        pytest.param("th", JurisdictionKind.COUNTRY, "Thailand", id="country-lower-case"),
        pytest.param("EU", JurisdictionKind.REGIONAL, "European Union", id="eu"),
    ],
)
def test_jurisdictions(code: str, kind: JurisdictionKind, name: str) -> None:
    j = jurisdiction(code)
    assert (j.kind, j.name) == (kind, name)


@pytest.mark.parametrize("code", ["XX", "THA", "", "E1", "ASEAN"])
def test_unknown_jurisdiction_names_the_value_and_what_is_expected(code: str) -> None:
    with pytest.raises(
        BadInputError, match=f"unknown jurisdiction {code!r}; expected UN, EU or an ISO 3166-1"
    ) as e:
        jurisdiction(code)
    assert "jurisdiction" in e.value.errors


def test_eu_has_27_members_all_real_countries() -> None:
    members = REGIONAL_BODIES["EU"][1]
    assert len(set(members)) == 27
    assert all(jurisdiction(c).kind is JurisdictionKind.COUNTRY for c in members)
    assert "FR" in members and "GB" not in members


def test_un_labels_and_answer_from_the_catalogue() -> None:
    assert un_schedule_label("1961:I") == "Single Convention 1961, Schedule I"
    assert un_schedule_label("1988:II") == "Convention 1988, Table II"
    assert un_schedule_label("1961:art28") == "Single Convention 1961, article 28"
    heroin, ketamine = catalogue().get("heroin"), catalogue().get("ketamine")
    assert heroin is not None and ketamine is not None
    a = un_answer(heroin)
    assert (a.controlled, a.basis, a.since) == (True, Basis.CONVENTION, None)
    assert "Schedule I" in a.schedule
    assert un_answer(ketamine) == NOT_CONTROLLED


def iv(start: date, schedule: str = "Cat 1", until: date | None = None, off: bool = False) -> Interval:
    return Interval(start, until, schedule, off)


def test_a_new_status_closes_the_previous_one_and_history_is_kept() -> None:
    h = apply([], iv(D(2015, 1, 1), "Cat 2"))
    h = apply(h, iv(D(2020, 3, 1), "Cat 1"))
    assert [(i.in_force, i.until, i.schedule) for i in h] == [
        (D(2015, 1, 1), D(2020, 3, 1), "Cat 2"),
        (D(2020, 3, 1), None, "Cat 1"),
    ]


def test_a_back_dated_status_ends_where_the_next_begins() -> None:
    h = apply([iv(D(2020, 1, 1))], iv(D(2010, 1, 1), "old"))
    assert [(i.in_force, i.until) for i in h] == [(D(2010, 1, 1), D(2020, 1, 1)), (D(2020, 1, 1), None)]


@pytest.mark.parametrize(
    ("history", "new", "message"),
    [
        pytest.param(
            [iv(D(2020, 1, 1))],
            iv(D(2020, 1, 1), "other"),
            "a status from 2020-01-01 is already",
            id="same-date",
        ),
        pytest.param(
            [], iv(D(2020, 1, 1), until=D(2019, 1, 1)), "until 2019-01-01 is not after", id="until-before"
        ),
        pytest.param(
            [iv(D(2020, 1, 1))],
            iv(D(2010, 1, 1), until=D(2021, 1, 1)),
            "runs past the next status",
            id="overlap-next",
        ),
    ],
)
def test_place_refuses_what_would_overlap(history: list[Interval], new: Interval, message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        place(history, new)


def test_status_on_own_listing_class_wide_and_decontrol() -> None:
    own = apply(apply([], iv(D(2015, 1, 1), "Schedule II")), iv(D(2021, 6, 1), "", off=True))
    group = [iv(D(2019, 5, 1), "Class-wide")]
    assert status_on(own, group, D(2014, 1, 1)) == Answer(False)
    on = status_on(own, group, D(2016, 1, 1))
    assert (on.controlled, on.schedule, on.since, on.basis) == (
        True,
        "Schedule II",
        D(2015, 1, 1),
        Basis.LISTING,
    )
    # decontrolled on its own listing, but the group is controlled class-wide since 2019
    after = status_on(own, group, D(2022, 1, 1))
    assert (after.controlled, after.basis, after.since) == (True, Basis.CLASS, D(2019, 5, 1))
    alone = status_on(own, [], D(2022, 1, 1))
    assert (alone.controlled, alone.decontrolled_since) == (False, D(2021, 6, 1))
    assert status_on(own, [], D(2021, 5, 31)).controlled  # the day before the decontrol


def _sub(code: str):  # type: ignore[no-untyped-def]
    s = catalogue().get(code)
    assert s is not None
    return s


def test_gap_rows_against_a_hand_built_example() -> None:
    yes = Answer(True, "Cat 1", D(2020, 1, 1), Basis.LISTING)
    subs = [_sub("ketamine"), _sub("heroin"), _sub("ephedrine"), _sub("acetone")]
    answers = {
        ("ketamine", "CN"): yes,
        ("ketamine", "TH"): yes,  # LA: missing = not controlled -> gap
        ("heroin", "CN"): yes,
        ("heroin", "TH"): yes,
        ("heroin", "LA"): yes,  # everywhere -> no gap
        ("ephedrine", "LA"): yes,  # only LA -> gap, with evidence -> first
    }  # acetone nowhere -> no gap
    rows = gap_rows(subs, ["CN", "LA", "TH"], answers, {"heroin": Answer(True)}, {"ephedrine": 3.0})
    assert [r.substance.code for r in rows] == ["ephedrine", "ketamine"]
    eph, ket = rows
    assert (eph.controlled_in, eph.not_controlled_in) == (("LA",), ("CN", "TH"))
    assert (ket.controlled_in, ket.not_controlled_in) == (("CN", "TH"), ("LA",))
    assert list(ket.cells) == ["UN", "CN", "LA", "TH"]
    assert ket.cells["UN"] == NOT_CONTROLLED and ket.cells["CN"] == yes and not ket.cells["LA"].controlled


def test_group_cell_counts_listed_members() -> None:
    listed = Answer(True, "S1", D(2020, 1, 1), Basis.LISTING)
    cls = Answer(True, "Class", D(2019, 5, 1), Basis.CLASS)
    assert group_cell(cls, [cls, cls]).class_wide
    cell = group_cell(NOT_CONTROLLED, [listed, NOT_CONTROLLED, listed])
    assert (cell.class_wide, cell.listed, cell.total) == (False, 2, 3)


# -- invariants ---------------------------------------------------------------------------------------

days = st.integers(min_value=0, max_value=4000).map(lambda n: D(2010, 1, 1) + timedelta(days=n))
statuses = st.tuples(
    days, st.sampled_from(["A", "B", "C"]), st.booleans(), st.one_of(st.none(), st.integers(1, 900))
)


@given(st.lists(statuses, max_size=12))
def test_history_intervals_never_overlap(items: list[tuple[date, str, bool, int | None]]) -> None:
    history: list[Interval] = []
    for start, schedule, off, length in items:
        new = iv(start, schedule, start + timedelta(days=length) if length else None, off)
        try:
            history = apply(history, new)
        except BadInputError:
            continue
    ordered = sorted(history, key=lambda i: i.in_force)
    for a, b in itertools.pairwise(ordered):
        assert a.until is not None and a.until <= b.in_force
    for i in ordered:
        assert i.until is None or i.until > i.in_force
    # any day is covered by at most one status
    for probe in {i.in_force for i in ordered}:
        assert sum(i.covers(probe) for i in ordered) == 1


codes = ["ketamine", "heroin", "ephedrine", "acetone", "tramadol"]
places = ["CN", "LA", "MM", "TH"]


@given(st.dictionaries(st.tuples(st.sampled_from(codes), st.sampled_from(places)), st.booleans()))
def test_controlled_everywhere_or_nowhere_is_never_a_gap(flags: dict[tuple[str, str], bool]) -> None:
    answers = {
        k: Answer(True, "X", D(2020, 1, 1), Basis.LISTING) if v else NOT_CONTROLLED for k, v in flags.items()
    }
    rows = gap_rows([_sub(c) for c in codes], places, answers)
    gaps = {r.substance.code for r in rows}
    for code in codes:
        states = {flags.get((code, p), False) for p in places}
        assert (code in gaps) == (states == {True, False})
