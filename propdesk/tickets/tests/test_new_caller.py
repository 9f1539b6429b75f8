"""A caller the registry does not know is offered as a new caller, with what was searched
filled into the intake form."""

from django.test import Client
from django.urls import reverse


def test_an_unknown_number_offers_a_new_caller(personas, house_a):
    client = Client()
    client.force_login(personas["agent"])
    card = client.get(reverse("request_caller_lookup"), {"q": "13900009999"}).content.decode()
    assert 'data-testid="new-caller"' in card
    assert "q=13900009999&amp;new_caller=1" in card


def test_the_new_caller_form_is_filled_from_the_search(personas, house_a):
    client = Client()
    client.force_login(personas["agent"])
    page = client.get(reverse("request_intake"), {"q": "13900009999", "new_caller": "1"})
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="new-caller-note"' in body
    assert 'name="caller_mobile"' in body and 'value="13900009999"' in body
    named = client.get(reverse("request_intake"), {"q": "王先生", "new_caller": "1"})
    assert 'value="王先生"' in named.content.decode()
