"""Money: `Decimal` with two places, rounded half-up to the fen, never float (DESIGN.md).

Amounts travel as `Decimal` yuan at the edges (forms, API, receipts) and as integer fen where
sums are made in bulk (the billing run's SQL, the ledger). Both are exact; converting between them
is lossless because every amount here has at most two decimals.

- `round_fen(x)` rounds any Decimal half-up to the fen: 119.035 → 119.04.
- `parse_amount(value)` is the strict reading of what a person typed or sent: a finite number
  with at most two decimals, never a float. It raises `MoneyError` naming the problem.
- `to_fen` / `from_fen` convert between yuan and integer fen.
- `amount_in_words(x)` writes the capital figures (大写金额) a receipt needs: 170.05 →
  壹佰柒拾元零伍分, following the rules for filling in bills and settlement vouchers
  (《正确填写票据和结算凭证的基本规定》): 整 after 元 when there are no jiao or fen, 零 after 元
  when the jiao are zero but the fen are not, one 零 for any run of zeros inside the number,
  and 壹拾 (never a bare 拾) at the head of the number.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

FEN = Decimal("0.01")
ZERO = Decimal("0.00")
# The largest amount anything in the product handles: a trillion yuan, well inside every column.
MAX_AMOUNT = Decimal("999999999999.99")

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")
GROUP_UNITS = ("", "万", "亿", "万亿")


class MoneyError(ValueError):
    """An amount that is not a valid amount of money; `code` says what is wrong with it."""

    def __init__(self, message, *, code: str):
        self.message = message
        self.code = code
        super().__init__(str(message))


def round_fen(value: Decimal | int) -> Decimal:
    """Round half-up to the fen: 119.035 → 119.04, -0.005 → -0.01."""
    if isinstance(value, float):
        raise TypeError("money is never a float; pass a Decimal or a str")
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def parse_amount(value, *, allow_zero: bool = False, allow_negative: bool = False) -> Decimal:
    """Read an amount of money exactly as given: at most two decimals, never a float.

    Accepts Decimal, int and numeric strings (surrounding spaces allowed). A third decimal is an
    error rather than something to round away: a cashier who typed 10.005 meant something else.
    """
    if isinstance(value, bool) or value is None:
        raise MoneyError(_("Enter an amount such as 170.05."), code="not_a_number")
    if isinstance(value, float):
        raise MoneyError(_("Enter the amount as text or a decimal, not a float."), code="float")
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise MoneyError(_("Enter an amount such as 170.05."), code="not_a_number") from exc
    if not amount.is_finite():
        raise MoneyError(_("Enter an amount such as 170.05."), code="not_a_number")
    if abs(amount) > MAX_AMOUNT:
        raise MoneyError(_("The amount is too large."), code="too_large")
    if amount != amount.quantize(FEN):
        raise MoneyError(_("An amount has at most two decimals (fen)."), code="too_precise")
    amount = amount.quantize(FEN)
    if amount.is_zero() and not allow_zero:
        raise MoneyError(_("The amount must be more than zero."), code="zero")
    if amount < 0 and not allow_negative:
        raise MoneyError(_("The amount cannot be negative."), code="negative")
    return amount


def to_fen(amount: Decimal | int) -> int:
    """Yuan → integer fen, exactly; an amount with a fraction of a fen is refused."""
    if isinstance(amount, float):
        raise TypeError("money is never a float; pass a Decimal or a str")
    amount = Decimal(amount)
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"{amount} has a fraction of a fen; round it with round_fen first")
    return int(fen)


def from_fen(fen: int) -> Decimal:
    """Integer fen → Decimal yuan with two places: 17005 → Decimal('170.05')."""
    if not isinstance(fen, int) or isinstance(fen, bool):
        raise TypeError("fen is an int")
    return (Decimal(fen) / 100).quantize(FEN)


def fen_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half-up to an integer, in integers only (both signs).

    The billing rule in fen: area in hundredths of m² × rate in fen / 100, half-up, is
    `fen_half_up(area_cm2 * rate_fen, 100)` — the same arithmetic the billing run's SQL does.
    """
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    if numerator >= 0:
        return (numerator * 2 + denominator) // (denominator * 2)
    return -((-numerator * 2 + denominator) // (denominator * 2))


def format_yuan(amount: Decimal | int) -> str:
    """¥1,234.50 for pages and documents."""
    amount = round_fen(amount)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


def _four_digits_in_words(number: int) -> str:
    """0 < number < 10000, with 零 for inner zeros (1005 → 壹仟零伍); 10 is 壹拾, never 拾."""
    text = ""
    pending_zero = False
    for position in range(3, -1, -1):
        digit = number // 10**position % 10
        if digit == 0:
            pending_zero = bool(text)
            continue
        if pending_zero:
            text += DIGITS[0]
            pending_zero = False
        text += DIGITS[digit] + SMALL_UNITS[position]
    return text


def _integer_in_words(number: int) -> str:
    """A whole number of yuan (≥ 1) in capital figures, without the 元."""
    groups = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    text = ""
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        # A zero is read between two non-zero groups when the lower one is under a thousand, or
        # when a whole group of zeros lies between them (1,0000,0001 → 壹亿零壹).
        higher = groups[index + 1 :]
        if text and (group < 1000 or (higher and higher[0] == 0)):
            text += DIGITS[0]
        text += _four_digits_in_words(group) + GROUP_UNITS[index]
    return text


def amount_in_words(amount: Decimal | int | str) -> str:
    """The capital figures (大写金额) of an amount: 170.05 → 壹佰柒拾元零伍分, 300 → 叁佰元整."""
    value = round_fen(Decimal(amount) if isinstance(amount, str) else amount)
    if abs(value) > MAX_AMOUNT:
        raise ValueError("amount too large to write in words")
    sign = "负" if value < 0 else ""
    fen_total = abs(to_fen(value))
    yuan, cents = divmod(fen_total, 100)
    jiao, fen = divmod(cents, 10)
    if yuan == 0 and cents == 0:
        return "零元整"
    text = ""
    if yuan:
        text = _integer_in_words(yuan) + "元"
    if jiao == 0 and fen == 0:
        return sign + text + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif yuan:
        text += DIGITS[0]
    if fen:
        text += DIGITS[fen] + "分"
    return sign + text
