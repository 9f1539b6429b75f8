"""`{% month_options selected %}`: the options of a month picker, labelled in the page's language.

Browsers draw `<input type=month>` in their own language (English in a Chinese console when the
browser is English) and some draw no picker at all, so every month picker is a `<select>` of
months, newest first, whose values are `YYYY-MM` as the views read them.
"""

import datetime

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

MONTHS_BACK = 36
MONTHS_AHEAD = 3


def _month(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    text = str(value or "").strip()
    try:
        return datetime.date.fromisoformat(f"{text[:7]}-01") if len(text) >= 7 else None
    except ValueError:
        return None


def _shift(month: datetime.date, months: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@register.simple_tag
def month_options(selected=None, blank_label=""):
    """`<option>`s for the months around today (and the selected one, wherever it is)."""
    chosen = _month(selected)
    this_month = timezone.localdate().replace(day=1)
    months = [_shift(this_month, n) for n in range(MONTHS_AHEAD, -MONTHS_BACK - 1, -1)]
    if chosen is not None and chosen not in months:
        months.append(chosen)
        months.sort(reverse=True)
    parts = []
    if blank_label:
        parts.append(format_html('<option value="">{}</option>', blank_label))
    parts.append(
        format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (
                    f"{m:%Y-%m}",
                    mark_safe(" selected") if m == chosen else "",
                    formats.date_format(m, "YEAR_MONTH_FORMAT"),
                )
                for m in months
            ),
        )
    )
    return mark_safe("".join(str(p) for p in parts))
