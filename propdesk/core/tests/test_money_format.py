"""One money format on every page: ¥382,426.87, from one filter over core.money."""

import re
from decimal import Decimal
from pathlib import Path

from django.template import Context, Template

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def render(text: str, **context) -> str:
    return Template("{% load money %}" + text).render(Context(context))


def test_amounts_have_thousands_separators_and_two_places():
    assert render("{{ a|money }}", a=Decimal("382426.87")) == "¥382,426.87"
    assert render("{{ a|money }}", a="-5") == "-¥5.00"
    assert render("{{ f|money_fen }}", f=38242687) == "¥382,426.87"
    assert render("{{ a|money }}", a=None) == "—"


def test_no_template_writes_an_amount_by_hand():
    """`¥{{ amount }}` printed 382426.87; every amount goes through the filter."""
    hand_written = [
        f"{path.relative_to(TEMPLATES)}: {match}"
        for path in TEMPLATES.glob("**/*.html")
        for match in re.findall(r"¥\{\{[^}]*\}\}|\{\{[^}]*\}\} ?元", path.read_text())
    ]
    assert hand_written == []


def test_amounts_kept_in_fen_are_shown_by_the_one_filter():
    """A second filter printed fen as 382,426.87 without ¥ on the cash-up, runs, aging and fee
    schedule pages, beside ¥ amounts in the next column."""
    apps = TEMPLATES.parent
    by_other_means = [
        f"{path.relative_to(apps)}: {match}"
        for path in apps.glob("**/templates/**/*.html")
        for match in re.findall(r"\{\{[^}]*_fen\b[^}]*\}\}", path.read_text())
        if "money_fen" not in match
    ]
    assert by_other_means == []
