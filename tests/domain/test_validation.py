"""Review issue 19, items 6, 12 and 16: hostile spec text and hostile Unicode at input."""

import time

import pytest

from facilitator.domain.errors import Invalid
from facilitator.domain.spec import parse_text
from facilitator.domain.validation import clean_text

LAUGHS = "\n".join(
    ["a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]"
       for i in range(8)]
    + ["title: *i"])


def test_billion_laughs_is_refused_quickly():
    start = time.monotonic()
    with pytest.raises(Invalid):
        parse_text(LAUGHS)
    assert time.monotonic() - start < 1


@pytest.mark.parametrize("text", ["x: " + "[" * 50 + "]" * 50, "title: " + "a" * 300_000])
def test_deep_or_huge_spec_is_refused(text):
    with pytest.raises(Invalid):
        parse_text(text)


def test_plain_spec_still_reads():
    assert parse_text("title: Raadsavond\ndate: 2026-03-14\n") == {
        "title": "Raadsavond", "date": __import__("datetime").date(2026, 3, 14)}


@pytest.mark.parametrize("text", [
    "Wij bespraken de ruïne, het café en de reünie — één idee.",
    "Team 👩‍💻 en 👨‍👩‍👧 blij 🎉", "Tiếng Việt"])
def test_dutch_text_and_emoji_survive(text):
    assert clean_text(text, field="t", max_length=500) == text


def test_bidi_controls_are_stripped():
    hostile = "goed\u202eslecht\u2066x\u2069\u200e\u200f\u061c\u202a\u202b\u202c\u202d"
    assert clean_text(hostile, field="t", max_length=100) == "goedslechtx"


@pytest.mark.parametrize("text", ["\u200b\u200c\u200d\u2060\ufeff", "\u202e\u200b ", "\u00ad"])
def test_invisible_text_is_empty(text):
    with pytest.raises(Invalid) as exc:
        clean_text(text, field="t", max_length=100)
    assert exc.value.message == "This field cannot be empty."


def test_combining_marks_are_bounded():
    assert clean_text("a" + "\u0301" * 960 + "b", field="t", max_length=100) \
        == "á" + "\u0301" * 3 + "b"  # NFC folds the first mark into á
