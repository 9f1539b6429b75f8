"""The shared cleaners refuse with the field named; optional ids accept numbers and digits."""

import pytest

from propdesk.core.cleaning import clean_id
from propdesk.core.errors import ValidationFailed


@pytest.mark.parametrize(("value", "expected"), [(None, None), ("", None), (7, 7), ("42", 42)])
def test_an_optional_id_is_a_number_or_nothing(value, expected):
    assert clean_id("community", value) == expected


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", True, "9" * 19, [1], "1; DROP TABLE"])
def test_anything_else_is_refused_naming_the_field(value):
    with pytest.raises(ValidationFailed) as caught:
        clean_id("building", value, message="Pick one.")
    assert (caught.value.field, caught.value.message) == ("building", "Pick one.")
