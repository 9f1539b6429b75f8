"""The shared history names other apps' actions, fields and coded values in the reader's words."""

from django.template import Context, Template
from django.utils import translation

from propdesk.core import audit


def test_every_app_teaches_the_history_its_words():
    translation.activate("en")
    assert str(audit.ACTION_LABELS["payment"]) == "Payment received"
    assert str(audit.ACTION_LABELS["link_requested"]) == "Asked to be linked to the house"
    assert str(audit.FIELD_LABELS["method"]) == "method"
    assert audit.value_label("method", "pos_card") == "POS card"
    assert audit.value_label("relation", "family") == "Family member"
    assert audit.value_label("kind", "discount") == "Discount on a bill"
    assert audit.value_label("method", "not-a-code") == "not-a-code"
    translation.deactivate()


def test_the_timeline_shows_coded_values_by_their_labels():
    template = Template("{% load registry %}{{ value|change_value:field }}")
    with translation.override("zh-hans"):
        pos = template.render(Context({"value": "pos_card", "field": "method"}))
        plain = template.render(Context({"value": "1-1-101", "field": "house"}))
        empty = template.render(Context({"value": "", "field": "method"}))
    assert pos == "POS 刷卡"
    assert (plain, empty) == ("1-1-101", "—")
