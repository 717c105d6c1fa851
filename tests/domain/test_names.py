"""Names across scripts: the forms partners write for one person compare as the same name."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interdict.domain.names import name_form, name_keys, name_similarity, phonetic_key

ZHANG_WEI = ["张伟", "Zhang Wei", "Wei Zhang", "ZHANG WEI", "Чжан Вэй", "zhang  wei", "Zhang-Wei"]


@pytest.mark.parametrize("written", ZHANG_WEI)
def test_every_written_form_of_zhang_wei_has_the_same_tokens(written: str) -> None:
    form = name_form(written)
    assert sorted(form.tokens) == ["wei", "zhang"]
    assert form.chinese
    assert name_similarity(form, name_form("张伟")) == 1.0
    assert name_keys(form) == name_keys(name_form("张伟"))


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("张小龙", "Zhang Xiaolong"),  # characters to pinyin, surname first
        ("张小龙", "Xiaolong Zhang"),  # Western order
        ("张小龙", "Xiao Long Zhang"),  # given name split in two
        ("张小龙", "Чжан Сяолун"),  # Palladius Cyrillic
        ("习近平", "Си Цзиньпин"),
        ("习近平", "Си Цзинь Пин"),  # Palladius with every syllable apart
        ("欧阳娜娜", "Ouyang Nana"),  # compound surname
        ("曾伟", "Zeng Wei"),  # surname reading of a polyphonic character
        ("Сергей Иванов", "Sergey Ivanov"),
        ("Nguyễn Văn An", "Nguyen Van An"),
    ],
)
def test_cross_script_pairs_are_identical(left: str, right: str) -> None:
    assert name_similarity(name_form(left), name_form(right)) == 1.0


@pytest.mark.parametrize(
    ("left", "right", "at_least"),
    [
        ("Сергей Иванов", "Sergei Ivanov", 0.93),  # transliteration variants
        ("สมชาย ใจดี", "Somchai Jaidee", 0.85),  # Thai romanised by the royal system
        ("สมชาย ใจดี", "Somchai Chaidi", 1.0),
        ("محمد علي", "Mohammed Ali", 0.9),  # Arabic leaves vowels unwritten: the consonants agree
        ("ສົມພອນ", "Somphone", 0.75),  # Lao
        ("Rodriguez Orejuela Gilberto", "Gilberto Rodriguez Orejuela", 1.0),  # order ignored
    ],
)
def test_near_forms_score_high(left: str, right: str, at_least: float) -> None:
    assert name_similarity(name_form(left), name_form(right)) >= at_least


def test_different_people_score_low() -> None:
    assert name_similarity(name_form("Zhang Wei"), name_form("Li Na")) < 0.6
    assert name_similarity(name_form("张伟"), name_form("王芳")) < 0.6


def test_thai_and_latin_share_a_blocking_key() -> None:
    assert name_keys(name_form("สมชาย ใจดี")) & name_keys(name_form("Somchai Jaidee"))


def test_empty_and_punctuation_only_names_have_no_tokens() -> None:
    for text in ("", "   ", "--", "()"):
        form = name_form(text)
        assert not form
        assert name_similarity(form, name_form("Zhang Wei")) == 0.0


def test_latin_names_that_are_not_chinese_keep_their_tokens() -> None:
    form = name_form("Anna Maria Lopez")
    assert form.tokens == ("anna", "maria", "lopez")
    assert not form.chinese


def test_phonetic_key_keeps_numbers_and_falls_back_to_consonants() -> None:
    assert phonetic_key("1985") == "1985"
    assert phonetic_key("smith") == phonetic_key("smyth")
    assert phonetic_key("b2b") == "b2b"  # letters with digits: the consonant skeleton


@given(st.lists(st.sampled_from(["zhang", "wei", "li", "na", "ivanov", "sergey", "lopez"]), min_size=1,
                max_size=4))
def test_token_order_never_matters(tokens: list[str]) -> None:
    forward = name_form(" ".join(tokens))
    backward = name_form(" ".join(reversed(tokens)))
    assert name_similarity(forward, backward) == 1.0


@given(st.text(max_size=40))
def test_any_text_gives_a_form_and_a_similarity_in_range(text: str) -> None:
    form = name_form(text)
    assert all(token.isascii() for token in form.tokens)
    assert 0.0 <= name_similarity(form, name_form("Zhang Wei")) <= 1.0
