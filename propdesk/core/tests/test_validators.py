import contextlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from propdesk.core.validators import (
    normalize_area,
    normalize_credit_code,
    normalize_mobile,
    normalize_plate,
    normalize_resident_id,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("0086 19912345678", "19912345678"),
    ],
)
def test_it_normalizes_mobiles(raw, expected):
    assert normalize_mobile(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "12812345678", "1381234567", "138123456789", "abc", "1381234567x"]
)
def test_it_rejects_bad_mobiles(raw):
    with pytest.raises(ValidationError) as exc:
        normalize_mobile(raw)
    assert exc.value.code == "bad_mobile"


def test_it_accepts_a_resident_id_with_the_right_checksum():
    assert normalize_resident_id("11010519491231002x") == "11010519491231002X"


def test_it_rejects_a_resident_id_with_a_wrong_checksum():
    with pytest.raises(ValidationError) as exc:
        normalize_resident_id("110105194912310021")
    assert exc.value.code == "bad_id_checksum"


@pytest.mark.parametrize("raw", ["", "1101051949", "ABCDEFGHIJKLMNOPQR", "11010519491331002X"])
def test_it_rejects_malformed_resident_ids(raw):
    with pytest.raises(ValidationError):
        normalize_resident_id(raw)


def test_it_validates_credit_codes():
    assert normalize_credit_code("91110000600037341L") == "91110000600037341L"
    with pytest.raises(ValidationError) as exc:
        normalize_credit_code("91110000600037341A")
    assert exc.value.code == "bad_credit_checksum"


@pytest.mark.parametrize(
    ("raw", "plate", "new_energy"),
    [
        ("粤B12345", "粤B12345", False),
        ("粤b·12345", "粤B12345", False),
        ("粤BD12345", "粤BD12345", True),
        ("京AF1234X", None, None),
        ("沪A12345D", "沪A12345D", True),
        ("粤B1234学", "粤B1234学", False),
    ],
)
def test_it_recognizes_plates(raw, plate, new_energy):
    if plate is None:
        with pytest.raises(ValidationError):
            normalize_plate(raw)
    else:
        assert normalize_plate(raw) == (plate, new_energy)


@pytest.mark.parametrize("raw", ["", "B12345", "粤I12345", "粤B1234", "粤B123456789", "<script>"])
def test_it_rejects_bad_plates(raw):
    with pytest.raises(ValidationError) as exc:
        normalize_plate(raw)
    assert exc.value.code == "bad_plate"


@pytest.mark.parametrize(
    ("raw", "expected"), [("89.5", Decimal("89.50")), (" 120 ", Decimal("120.00"))]
)
def test_it_normalizes_areas(raw, expected):
    assert normalize_area(raw) == expected


@pytest.mark.parametrize("raw", ["0", "-1", "abc", "1.234", "NaN", "Infinity", "100000.01", ""])
def test_it_rejects_bad_areas(raw):
    with pytest.raises(ValidationError) as exc:
        normalize_area(raw)
    assert exc.value.code == "bad_area"


@given(st.text(max_size=40))
def test_no_text_crashes_the_validators(text):
    for validator in (normalize_mobile, normalize_resident_id, normalize_plate, normalize_area):
        with contextlib.suppress(ValidationError):
            validator(text)
