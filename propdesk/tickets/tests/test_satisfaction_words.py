"""Satisfaction reads in words and stars, not as a bare digit."""

from django.template import Context, Template
from django.utils import translation

from propdesk.portal.forms import RatingForm
from propdesk.tickets.forms import FollowUpForm


def test_a_score_reads_in_stars_and_words():
    with translation.override("zh-hans"):
        text = Template("{% load requests %}{{ s|satisfaction }}").render(Context({"s": 4}))
        assert text == "★★★★☆ 满意"
        one = Template("{% load requests %}{{ s|satisfaction }}").render(Context({"s": 1}))
        assert one == "★☆☆☆☆ 非常不满意"


def test_the_rating_forms_offer_words_best_first():
    with translation.override("zh-hans"):
        for form in (FollowUpForm(), RatingForm()):
            labels = [str(label) for _value, label in form.fields["satisfaction"].choices]
            assert labels[0] == "★★★★★ 非常满意" and labels[-1] == "★☆☆☆☆ 非常不满意"
