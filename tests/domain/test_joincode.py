from hypothesis import given
from hypothesis import strategies as st

from facilitator.domain import joincode


def test_new_codes_use_the_unambiguous_alphabet():
    for _ in range(200):
        code = joincode.new_code()
        assert len(code) == 6
        assert not set(code) & set("ILOU")
        assert joincode.normalise(code) == code


def test_typed_codes_are_forgiving():
    assert joincode.normalise("abc-def") == "ABCDEF"
    assert joincode.normalise(" 7kq 2mx ") == "7KQ2MX"
    assert joincode.normalise("O1lIab") == "0111AB"  # look-alikes mapped
    assert joincode.display("7KQ2MX") == "7KQ 2MX"


def test_garbage_is_not_a_code():
    for typed in ["", "abc", "<script>", "ABCDE!", "x" * 50, None, 123]:
        assert joincode.normalise(typed) is None


@given(st.text(max_size=60))
def test_normalise_never_raises(text):
    result = joincode.normalise(text)
    assert result is None or (6 <= len(result) <= 12 and set(result) <= set(joincode.ALPHABET))
