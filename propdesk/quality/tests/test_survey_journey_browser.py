"""Browser journey on a phone-sized screen (390×844): 张三 opens the portal, finds the monthly
survey, answers it and sees it gone from his list; the supervisor reads the satisfaction."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from propdesk.quality.models import SurveyResponse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_the_owner_answers_the_monthly_survey_on_the_phone(
    browser, live_server, personas, survey_round, owner_account, house_a
):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    # Signed in as the portal would after the SMS code (the sign-in itself is the portal's test).
    client = Client()
    client.force_login(owner_account)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/m/")
    page.get_by_test_id("home-surveys").click()
    page.get_by_test_id("open-survey").click()
    for question in page.get_by_test_id("question").all():
        radios = question.locator("input[type=radio]")
        if radios.count():
            radios.first.check()
    page.get_by_test_id("question").last.locator("textarea").fill("客服热情，维修很快")
    page.screenshot(path="test-results/quality-survey-phone.png", full_page=True)
    page.get_by_test_id("submit-survey").click()
    expect(page.get_by_test_id("no-surveys")).to_be_visible()
    response = SurveyResponse.objects.get()
    assert (response.channel, response.satisfied_count) == ("portal", 6)
    context.close()
