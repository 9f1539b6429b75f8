"""Money (core.money): half-up to the fen, strict parsing, fen ↔ yuan and capital figures."""

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from propdesk.core.money import (
    MAX_AMOUNT,
    MoneyError,
    amount_in_words,
    fen_half_up,
    format_yuan,
    from_fen,
    parse_amount,
    round_fen,
    to_fen,
)

amounts = st.decimals(min_value=Decimal("-999999999999.99"), max_value=MAX_AMOUNT, places=2)
fens = st.integers(min_value=-(10**14) + 1, max_value=10**14 - 1)


# --- rounding -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("119.035", "119.04"),  # 89.50 m² × 1.90 × 70 %: the vacancy golden case
        ("119.034999", "119.03"),
        ("0.005", "0.01"),
        ("0.004", "0.00"),
        ("2.675", "2.68"),  # a float would make this 2.67
        ("-0.005", "-0.01"),
        ("170.05", "170.05"),
        ("7", "7.00"),
    ],
)
def test_it_rounds_half_up_to_the_fen(value, expected):
    assert round_fen(Decimal(value)) == Decimal(expected)
    assert str(round_fen(Decimal(value))) == expected


def test_it_refuses_floats_everywhere():
    with pytest.raises(TypeError):
        round_fen(1.1)
    with pytest.raises(TypeError):
        to_fen(1.1)
    with pytest.raises(MoneyError) as exc:
        parse_amount(1.1)
    assert exc.value.code == "float"


@given(
    st.integers(min_value=-(10**12), max_value=10**12), st.integers(min_value=1, max_value=10**6)
)
def test_integer_half_up_matches_decimal_half_up(numerator, denominator):
    expected = (Decimal(numerator) / Decimal(denominator)).quantize(
        Decimal(1), rounding="ROUND_HALF_UP"
    )
    assert fen_half_up(numerator, denominator) == int(expected)


def test_integer_half_up_golden_cases():
    # area in hundredths of m² × rate in fen / 100
    assert fen_half_up(8950 * 190, 100) == 17005
    assert fen_half_up(8950 * 190 * 70, 10000) == 11904  # 119.035 → 119.04
    assert fen_half_up(12000 * 250, 100) == 30000
    assert fen_half_up(8950 * 350, 100) == 31325
    with pytest.raises(ValueError):
        fen_half_up(1, 0)


# --- parsing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("170.05", Decimal("170.05")),
        (" 170.05 ", Decimal("170.05")),
        ("300", Decimal("300.00")),
        ("10.500", Decimal("10.50")),
        (Decimal("0.01"), Decimal("0.01")),
        (25, Decimal("25.00")),
    ],
)
def test_it_parses_amounts_exactly(value, expected):
    parsed = parse_amount(value)
    assert parsed == expected
    assert parsed.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("abc", "not_a_number"),
        ("", "not_a_number"),
        (None, "not_a_number"),
        (True, "not_a_number"),
        ("NaN", "not_a_number"),
        ("Infinity", "not_a_number"),
        ("1e400", "too_large"),
        ("10.005", "too_precise"),
        ("0.001", "too_precise"),
        ("0", "zero"),
        ("0.00", "zero"),
        ("-5", "negative"),
        ("1000000000000", "too_large"),
        ("1,000", "not_a_number"),
    ],
)
def test_it_refuses_what_is_not_an_amount_naming_why(value, code):
    with pytest.raises(MoneyError) as exc:
        parse_amount(value)
    assert exc.value.code == code
    assert str(exc.value.message)


def test_zero_and_negative_are_allowed_when_asked():
    assert parse_amount("0", allow_zero=True) == Decimal("0.00")
    assert parse_amount("-12.30", allow_negative=True) == Decimal("-12.30")


# --- fen and yuan ---------------------------------------------------------------------------


def test_fen_and_yuan_convert_both_ways():
    assert to_fen(Decimal("170.05")) == 17005
    assert to_fen(Decimal("-0.01")) == -1
    assert from_fen(17005) == Decimal("170.05")
    assert str(from_fen(0)) == "0.00"
    assert str(from_fen(-250)) == "-2.50"


def test_a_fraction_of_a_fen_cannot_become_fen():
    with pytest.raises(ValueError, match="fraction of a fen"):
        to_fen(Decimal("119.035"))
    with pytest.raises(TypeError):
        from_fen(Decimal("1"))


@given(fens)
def test_fen_round_trips_through_yuan(fen):
    assert to_fen(from_fen(fen)) == fen


@given(amounts)
def test_yuan_round_trips_through_fen(amount):
    assert from_fen(to_fen(amount)) == amount


def test_it_formats_yuan_for_display():
    assert format_yuan(Decimal("1234.5")) == "¥1,234.50"
    assert format_yuan(Decimal("-3")) == "-¥3.00"


# --- capital figures ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("170.05", "壹佰柒拾元零伍分"),  # the example
        ("119.04", "壹佰壹拾玖元零肆分"),
        ("300.00", "叁佰元整"),
        ("313.25", "叁佰壹拾叁元贰角伍分"),
        ("0.05", "伍分"),
        ("0.50", "伍角"),
        ("0.55", "伍角伍分"),
        ("0", "零元整"),
        ("10", "壹拾元整"),
        ("15", "壹拾伍元整"),
        ("1409.50", "壹仟肆佰零玖元伍角"),  # examples of the voucher-filling rules
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
        ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
        ("325.04", "叁佰贰拾伍元零肆分"),
        ("100000", "壹拾万元整"),
        ("100100", "壹拾万零壹佰元整"),
        ("101000", "壹拾万壹仟元整"),
        ("100000001", "壹亿零壹元整"),
        ("100001000", "壹亿零壹仟元整"),
        ("1000000000", "壹拾亿元整"),
        ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
        ("-12.30", "负壹拾贰元叁角"),
    ],
)
def test_it_writes_capital_figures(amount, words):
    assert amount_in_words(Decimal(amount)) == words


def test_it_accepts_text_and_integers():
    assert amount_in_words("170.05") == "壹佰柒拾元零伍分"
    assert amount_in_words(500) == "伍佰元整"


def test_it_refuses_amounts_too_large_to_write():
    with pytest.raises(ValueError):
        amount_in_words(Decimal("1000000000000"))


# A reader of capital figures, written independently of the writer: the property tests check that
# every amount reads back to itself.
_DIGIT = {ch: n for n, ch in enumerate("零壹贰叁肆伍陆柒捌玖")}
_SMALL = {"拾": 10, "佰": 100, "仟": 1000}


def _read_group(text: str) -> int:
    total, digit = 0, 0
    for ch in text:
        if ch in _DIGIT:
            digit = _DIGIT[ch]
        else:
            total += digit * _SMALL[ch]
            digit = 0
    return total + digit


def _read_integer(text: str) -> int:
    total = 0
    if "亿" in text:
        high, text = text.split("亿")
        total += _read_integer(high) * 10**8
    if "万" in text:
        high, text = text.split("万")
        total += _read_group(high) * 10**4
    return total + _read_group(text)


def _read_words(words: str) -> Decimal:
    sign = -1 if words.startswith("负") else 1
    words = words.removeprefix("负").removesuffix("整")
    yuan = 0
    if "元" in words:
        head, words = words.split("元")
        yuan = _read_integer(head)
    words = words.removeprefix("零")
    jiao = fen = 0
    if "角" in words:
        head, words = words.split("角")
        jiao = _DIGIT[head]
    if "分" in words:
        fen = _DIGIT[words.removesuffix("分")]
    return sign * (Decimal(yuan) + Decimal(jiao) / 10 + Decimal(fen) / 100)


@given(amounts)
def test_capital_figures_read_back_to_the_amount(amount):
    assert _read_words(amount_in_words(amount)) == amount


@given(amounts)
def test_capital_figures_follow_the_voucher_rules(amount):
    words = amount_in_words(amount)
    assert re.fullmatch(r"负?[零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整]+", words)
    assert "零零" not in words
    assert not words.endswith("零")
    assert words.endswith(("整", "角", "分"))
    assert not re.search(r"(^|[^零壹贰叁肆伍陆柒捌玖])拾", words)  # 壹拾, never a bare 拾
    cents = abs(to_fen(amount)) % 100
    assert words.endswith("整") == (cents == 0)
    if abs(amount) >= 1 and cents and cents < 10:
        assert "元零" in words  # 元 is followed by 零 when the jiao are zero and the fen are not
