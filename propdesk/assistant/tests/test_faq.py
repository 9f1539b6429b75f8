"""FAQ answers: retrieval on real phrasings, the community's own figures, the portal page with
"did this help?" and the hand-off to a person (an inquiry request on its reply clock)."""

import csv
import datetime

import pytest
from django.test import Client

from propdesk.assistant import faq
from propdesk.assistant.models import FaqAsk, FaqEntry
from propdesk.tickets.models import ServiceRequest, SlaClock


def _rows(name):
    with (faq.DATA / name).open(encoding="utf-8") as handle:
        return [(r["question"], r["key"]) for r in csv.DictReader(handle)]


def test_top1_on_the_phrasings_the_keywords_were_tuned_on():
    assert faq.evaluate(_rows("faq_questions.csv")) >= 0.80


def test_top1_on_fresh_phrasings_written_after_tuning():
    """Written after the keywords were tuned (0.77 then); the phrasings file was written later."""
    assert faq.evaluate(_rows("faq_questions_fresh.csv")) >= 0.85


def test_top1_on_the_holdout_phrasings():
    """One question per entry, written before the retrieval changed and never tuned on (0.68
    with the character index alone, 0.82 with the phrasings and the word index)."""
    assert faq.evaluate(_rows("faq_questions_holdout.csv")) >= 0.80


def test_every_phrasing_names_a_default_entry():
    keys = {e.key for e in faq.default_entries()}
    assert set(faq.phrasings()) <= keys


def test_at_least_sixty_entries_with_unique_keys():
    entries = faq.default_entries()
    assert len(entries) >= 60
    assert len({e.key for e in entries}) == len(entries)


def test_answers_read_the_communitys_own_fee_schedule(community_a, admin):
    from propdesk.billing.models import FeeItem, FeeRate

    item = FeeItem.objects.create(
        community=community_a, code="property_fee", name="物业服务费", basis="area"
    )
    FeeRate.objects.create(
        community=community_a,
        fee_item=item,
        effective_from=datetime.date(2020, 1, 1),
        rate_fen=275,
        set_by=admin,
    )
    answer = faq.best("物业费每平方多少钱", community=community_a)
    assert answer.entry.key == "fee-rates"
    assert "物业服务费" in answer.text and "2.75" in answer.text
    assert "{" not in answer.text


def test_a_community_entry_replaces_the_default(community_a):
    FaqEntry.objects.create(
        company=community_a.company,
        community=community_a,
        key="service-hours",
        question="客服中心几点上班？",
        answer="甲小区客服中心每天7:30—20:00。",
        keywords="上班时间 几点",
    )
    assert (
        faq.best("客服中心几点上班", community=community_a).text == "甲小区客服中心每天7:30—20:00。"
    )


@pytest.fixture
def owner_client(desk):
    client = Client()
    client.force_login(desk.owner_user)
    return client


def test_portal_ask_answers_and_records(owner_client, desk):
    response = owner_client.post("/assistant/ask/", {"question": "装修押金要交多少钱"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-key="decoration-deposit"' in html
    record = FaqAsk.objects.get()
    assert record.entry_key == "decoration-deposit" and record.community == desk.community_a


def test_feedback_and_hand_off_files_an_inquiry_on_its_clock(owner_client, desk):
    owner_client.post("/assistant/ask/", {"question": "小区的公共收益去年有多少"})
    record = FaqAsk.objects.get()
    assert (
        owner_client.post(f"/assistant/ask/{record.id}/feedback/", {"helpful": "no"}).status_code
        == 302
    )
    record.refresh_from_db()
    assert record.helpful is False
    response = owner_client.post(f"/assistant/ask/{record.id}/person/")
    assert response.status_code == 302
    request = ServiceRequest.objects.select_related("kind").get()
    assert request.kind.code == "inquiry"
    assert request.description == record.question
    assert SlaClock.objects.filter(request=request).exists()
    # a second hand-off files nothing more
    owner_client.post(f"/assistant/ask/{record.id}/person/")
    assert ServiceRequest.objects.count() == 1


@pytest.mark.parametrize("question", ["", "物业费", "问" * 5001, "物业费\x00多少钱"])
def test_bad_questions_name_the_field(owner_client, question):
    response = owner_client.post("/assistant/ask/", {"question": question})
    assert response.status_code == 400
    assert 'data-field-error="question"' in response.content.decode()
    assert not FaqAsk.objects.exists()


def test_another_owners_question_is_not_found(owner_client, desk, personas):
    other = FaqAsk.objects.create(
        community=desk.community_a, asked_by=personas["agent"], question="别人的问题啊"
    )
    assert owner_client.post(f"/assistant/ask/{other.id}/person/").status_code == 404
    assert owner_client.post(f"/assistant/ask/{other.id}/feedback/", {}).status_code == 404
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize("role", ["agent", "supervisor", "admin"])
def test_staff_are_sent_to_the_portal_sign_in(personas, role, desk):
    client = Client()
    client.force_login(personas[role])
    response = client.get("/assistant/ask/")
    assert response.status_code == 302 and "/m/login/" in response["Location"]


def test_anonymous_is_sent_to_sign_in(db):
    response = Client().get("/assistant/ask/")
    assert response.status_code == 302


def test_agents_see_a_fitting_answer_beside_the_intake_form(desk):
    client = Client()
    client.force_login(desk.agent)
    html = client.post("/assistant/suggest/", {"description": "请问装修押金要交多少"}).content
    assert 'data-testid="triage-faq"' in html.decode()


def test_workbench_suggests_replies_that_fit(desk, make_request):
    filed = make_request(
        category="decoration", kind="inquiry", description="请问装修押金要交多少，什么时候退"
    )
    client = Client()
    client.force_login(desk.agent)
    html = client.get(f"/requests/{filed.id}/").content.decode()
    assert 'data-testid="suggested-replies"' in html
    assert 'data-source="faq"' in html
    assert 'data-source="phrase"' in html
