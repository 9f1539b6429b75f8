"""Template filters of the fees pages: amounts kept in fen shown as yuan with two places."""

from django import template

from propdesk.core.money import from_fen

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """17005 → "170.05"; empty for None."""
    if fen is None or fen == "":
        return ""
    return f"{from_fen(int(fen)):,.2f}"
