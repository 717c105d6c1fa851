"""The matching engine: levels, scores and explanations, blocking keys, and learning weights."""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interdict.domain.matching import (
    FIELDS,
    RECOMMENDED_THRESHOLD,
    Model,
    Subject,
    compare,
    levels,
    parse_birth_date,
    subject_keys,
)


def person(ref: str = "x", **fields: object) -> Subject:
    return Subject.build(ref, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1979-03-05", (1979, 3, 5)),
        ("19790305", (1979, 3, 5)),
        ("05.03.1979", (1979, 3, 5)),
        ("05/03/1979", (1979, 3, 5)),
        ("5 Mar 1979", (1979, 3, 5)),
        ("Mar 1979", (1979, 3, None)),
        ("1979-03", (1979, 3, None)),
        ("1979", (1979, None, None)),
        ("1979-02-31", (1979, 2, None)),  # impossible day dropped, year and month kept
        ("", None),
        ("unknown", None),
        ("0000", None),
    ],
)
def test_birth_dates_in_the_forms_partners_write(text: str, expected: object) -> None:
    assert parse_birth_date(text) == expected


def test_birth_date_objects_are_accepted() -> None:
    assert parse_birth_date(date(1979, 3, 5)) == (1979, 3, 5)


def test_same_person_across_scripts_scores_above_the_threshold_and_says_why() -> None:
    a = person("a", names=["张伟"], birth_date="1979-03-05", identifiers=[("phone", "+8613800138000")])
    b = person("b", names=["Чжан Вэй"], birth_date="1979", identifiers=[("phone", "+8613800138000")])
    result = compare(a, b)
    assert result.score > 0.99
    assert result.explanation == "phone identical, name identical after transliteration, birth year equal"


def test_identical_passport_outweighs_a_name_typo() -> None:
    a = person("a", names=["Somchai Jaidee"], identifiers=[("passport", "AA1234567")])
    b = person("b", names=["Somchai Jaidea"], identifiers=[("passport", "AA1234567")])
    result = compare(a, b)
    assert result.score >= RECOMMENDED_THRESHOLD
    assert "passport identical" in result.reasons


def test_namesakes_with_different_birth_dates_and_documents_stay_apart() -> None:
    a = person("a", names=["Zhang Wei"], birth_date="1979-03-05", identifiers=[("national_id", "110101197903051234")])
    b = person("b", names=["Zhang Wei"], birth_date="1988-11-20", identifiers=[("national_id", "440301198811207777")])
    result = compare(a, b)
    assert result.score < RECOMMENDED_THRESHOLD
    assert "birth date differs" in result.reasons
    assert "ID number differs" in result.reasons


def test_one_typed_wrong_digit_is_near_not_different() -> None:
    a = person("a", names=["Li Na"], identifiers=[("passport", "E12345678")])
    b = person("b", names=["Li Na"], identifiers=[("passport", "E12345687")])
    assert "passport one character apart" in compare(a, b).reasons
    assert subject_keys(a) & subject_keys(b)  # the deletion neighbourhood still blocks them together


def test_alternative_birth_dates_and_aliases_count() -> None:
    listed = person("l", names=["Gilberto Jose Rodriguez Orejuela", "The Chess Player"],
                    birth_dates=["1939-01-31", "1940"])
    query = person("q", names=["the chess player"], birth_date="1940")
    result = compare(query, listed)
    assert "name identical (alias)" in result.reasons
    assert "birth year equal" in result.reasons


def test_single_name_token_still_compares() -> None:
    a = person("a", names=["Wei"])
    b = person("b", names=["Zhang Wei"])
    row = levels(a, b)
    assert row[FIELDS.index("name")] == 7
    assert "single name matches" in compare(a, b).explanation
    assert subject_keys(a)  # a single-token name still has a blocking key


def test_person_against_company_is_penalised() -> None:
    a = person("a", names=["Golden Triangle Trading"], schema="Person")
    b = person("b", names=["Golden Triangle Trading"], schema="Company")
    assert "person against company" in compare(a, b).reasons


def test_empty_subject_has_no_keys() -> None:
    subject = person("e")
    assert subject.empty
    assert subject_keys(subject) == set()


@given(
    st.lists(st.sampled_from(["Zhang Wei", "张伟", "Li Na", "Ivanov", "Сергей Иванов", ""]), max_size=3),
    st.sampled_from(["1979-03-05", "1979", "", "05.03.1980"]),
    st.lists(st.tuples(st.sampled_from(["phone", "passport", "email"]),
                       st.sampled_from(["+8613800138000", "E1234567", "a@b.cn"])), max_size=2),
)
def test_score_is_symmetric_and_in_range(names: list[str], birth: str, identifiers: list[tuple[str, str]]) -> None:
    a = person("a", names=names, birth_date=birth or None, identifiers=identifiers)
    b = person("b", names=list(reversed(names)), birth_date=birth or None, identifiers=identifiers[::-1])
    forward, backward = compare(a, b), compare(b, a)
    assert 0.0 <= forward.score <= 1.0
    assert forward.score == pytest.approx(backward.score)


def test_estimated_model_learns_from_data_without_truth() -> None:
    rng = random.Random(7)
    given_names = ["anna", "ben", "chloe", "dan", "eva", "finn", "gus", "hana", "ivan", "jin"]
    family = ["smith", "lee", "wang", "garcia", "ivanov", "tan", "nguyen", "kim", "lopez", "khan"]
    left, right = [], []
    for i in range(400):
        name = f"{rng.choice(given_names)} {rng.choice(family)}"
        born = f"19{rng.randrange(40, 99)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 28):02d}"
        number = f"P{rng.randrange(10**7, 10**8)}"
        left.append(person(f"l{i}", names=[name], birth_date=born, identifiers=[("passport", number)]))
        right.append(person(f"r{i}", names=[name], birth_date=born, identifiers=[("passport", number)]))
    compared = [levels(a, b) for a in left[:200] for b in right[:3]]
    random_pairs = [levels(rng.choice(left), rng.choice(right)) for _ in range(1000)]
    model = Model.estimate(compared, random_pairs)
    assert model.estimated
    passport = FIELDS.index("passport")
    assert model.weights[passport][1] > 3.0  # identical passports became strong evidence
    assert model.weights[passport][3] < 0.0


def test_too_little_data_falls_back_to_the_a_priori_model() -> None:
    row = [0] * len(FIELDS)
    model = Model.estimate([row] * 10, [row] * 10)
    assert not model.estimated
    assert model.weights == Model.apriori().weights
