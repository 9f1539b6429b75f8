"""Dates in inputs are ISO whatever the language: a browser's date input drops 2026/12/06."""

import datetime

from django import forms
from django.utils import translation

from propdesk.core.forms import ConsoleForm


class Dates(ConsoleForm):
    day = forms.DateField()
    at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


def test_date_and_date_time_inputs_carry_iso_values():
    form = Dates(
        initial={"day": datetime.date(2026, 12, 6), "at": datetime.datetime(2026, 12, 6, 9, 30)}
    )
    with translation.override("zh-hans"):
        html = str(form["day"]) + str(form["at"])
    assert 'type="date"' in html and 'value="2026-12-06"' in html
    assert 'value="2026-12-06T09:30"' in html
