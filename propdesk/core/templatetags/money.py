"""The one money format of pages: ¥382,426.87 (core.money.format_yuan)."""

from django import template

from propdesk.core.money import format_yuan, from_fen

register = template.Library()


@register.filter
def money(amount) -> str:
    """An amount in yuan (Decimal, int or its text) as ¥1,234.50; a dash when there is none."""
    if amount is None or amount == "":
        return "—"
    try:
        return format_yuan(amount)
    except (TypeError, ValueError, ArithmeticError):
        return str(amount)


@register.filter
def money_fen(fen) -> str:
    """An amount kept in fen as ¥1,234.50; a dash when there is none."""
    if fen is None or fen == "":
        return "—"
    return format_yuan(from_fen(int(fen)))
