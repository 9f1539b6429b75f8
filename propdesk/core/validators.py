"""Validators for the identity data of the registry (DOMAIN.md §1).

Each `normalize_*` function returns the canonical form of a value or raises Django's
`ValidationError` with a translated message, so forms, API schemas and imports share one rule.
"""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

MOBILE_RE = re.compile(r"^1[3-9][0-9]{9}$")
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
PLATE_LETTER = "A-HJ-NP-Z"  # plates never use I or O
REGULAR_PLATE_RE = re.compile(
    rf"^[{PROVINCES}][{PLATE_LETTER}][{PLATE_LETTER}0-9]{{4}}[{PLATE_LETTER}0-9挂学警港澳]$"
)
# New-energy plates have 8 characters: D/F then 5 alphanumerics for small cars, or 5 digits then
# D/F for large vehicles.
NEW_ENERGY_PLATE_RE = re.compile(
    rf"^[{PROVINCES}][{PLATE_LETTER}](?:[DF][{PLATE_LETTER}0-9][0-9]{{4}}|[0-9]{{5}}[DF])$"
)
AREA_MAX_M2 = Decimal("100000")


def normalize_mobile(value: str) -> str:
    """Return an 11-digit mainland mobile number, accepting spaces, dashes and a +86 prefix."""
    digits = re.sub(r"[\s\-]", "", str(value or ""))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not MOBILE_RE.match(digits):
        raise ValidationError(
            _("Enter an 11-digit mobile number starting with 1."), code="bad_mobile"
        )
    return digits


def normalize_resident_id(value: str) -> str:
    """Return an 18-character resident ID number whose checksum is right (upper-case X)."""
    compact = str(value or "").strip().upper().replace(" ", "")
    try:
        return ric.validate(compact)
    except stdnum_errors.InvalidChecksum as exc:
        raise ValidationError(
            _("The resident ID number's check digit is wrong."), code="bad_id_checksum"
        ) from exc
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(
            _("Enter an 18-character resident ID number."), code="bad_id_number"
        ) from exc


def normalize_credit_code(value: str) -> str:
    """Return an 18-character unified social credit code whose checksum is right."""
    compact = str(value or "").strip().upper().replace(" ", "")
    try:
        return uscc.validate(compact)
    except stdnum_errors.InvalidChecksum as exc:
        raise ValidationError(
            _("The credit code's check character is wrong."), code="bad_credit_checksum"
        ) from exc
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(
            _("Enter an 18-character unified social credit code."), code="bad_credit_code"
        ) from exc


def normalize_other_id(value: str) -> str:
    """Passports and travel permits: 5–20 letters and digits."""
    compact = str(value or "").strip().upper().replace(" ", "")
    if not re.fullmatch(r"[A-Z0-9]{5,20}", compact):
        raise ValidationError(
            _("Enter 5 to 20 letters and digits for this document number."), code="bad_id_number"
        )
    return compact


def normalize_plate(value: str) -> tuple[str, bool]:
    """Return the plate in canonical form and whether it is a new-energy plate."""
    compact = re.sub(r"[\s·\-.]", "", str(value or "")).upper()
    if NEW_ENERGY_PLATE_RE.match(compact):
        return compact, True
    if REGULAR_PLATE_RE.match(compact):
        return compact, False
    raise ValidationError(
        _("Enter a Chinese licence plate such as 粤B12345 or 粤BD12345."), code="bad_plate"
    )


def normalize_area(value) -> Decimal:
    """Return a building area in m² with two decimals, greater than zero."""
    try:
        area = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(_("Enter the area as a number of m²."), code="bad_area") from exc
    if not area.is_finite() or area <= 0 or area > AREA_MAX_M2:
        raise ValidationError(
            _("The area must be more than 0 and at most 100000 m²."), code="bad_area"
        )
    if area.as_tuple().exponent < -2:
        raise ValidationError(_("The area has at most two decimals."), code="bad_area")
    return area.quantize(Decimal("0.01"))


def mobile_validator(value: str) -> None:
    normalize_mobile(value)


def plate_validator(value: str) -> None:
    normalize_plate(value)
