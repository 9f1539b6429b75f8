"""Month pickers are selects of months labelled in the page's language, never `type=month`."""

import datetime
import pathlib
from zoneinfo import ZoneInfo

import time_machine
from django.template import Context, Template
from django.utils import translation

import propdesk

NOW = datetime.datetime(2026, 3, 16, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def _render(text: str, **context) -> str:
    with translation.override("zh-hans"), time_machine.travel(NOW, tick=False):
        return Template("{% load months %}" + text).render(Context(context))


def test_months_are_labelled_in_chinese_newest_first_with_the_chosen_one_selected():
    html = _render("{% month_options m %}", m=datetime.date(2026, 2, 1))
    assert '<option value="2026-02" selected>2026年2月</option>' in html
    assert html.index("2026-06") < html.index("2026-03") < html.index("2023-03")
    assert "2023-02" not in html and "2026-07" not in html  # 36 back, 3 ahead
    assert html.count(" selected") == 1


def test_a_month_outside_the_range_is_still_offered_and_a_blank_choice_can_lead():
    html = _render("{% month_options '2019-05' 'Any month' %}")
    assert html.startswith('<option value="">Any month</option>')
    assert '<option value="2019-05" selected>2019年5月</option>' in html


def test_a_bad_value_selects_nothing():
    for bad in ("", "2026-13", "<script>", None):
        assert " selected" not in _render("{% month_options m %}", m=bad)


def test_no_template_asks_the_browser_for_its_month_input():
    root = pathlib.Path(propdesk.__file__).parent
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if 'type="month"' in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
