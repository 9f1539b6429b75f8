"""The assistant's refusals carry the stable codes of assistant.error_codes, naming the field; no
string literal codes are left in its services."""

import re
from pathlib import Path

import pytest

from propdesk.assistant import error_codes, faq_services, services
from propdesk.core.errors import AppError

APP = Path(services.__file__).resolve().parent


def refusal(call) -> AppError:
    with pytest.raises(AppError) as caught:
        call()
    return caught.value


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (None, error_codes.REQUIRED),
        ("   ", error_codes.REQUIRED),
        ("漏水\x00了吗", error_codes.BAD_CHARACTERS),
        ("漏水", error_codes.TOO_SHORT),
        ("漏" * (services.MAX_CHARS + 1), error_codes.TOO_LONG),
    ],
)
def test_a_bad_message_is_refused_with_its_code(text, code):
    refused = refusal(lambda: services.clean_message(text, field="question"))
    assert (refused.code, refused.field) == (code, "question")


@pytest.mark.django_db
def test_staff_asking_the_owners_knowledge_base_are_refused_with_a_code(personas):
    refused = refusal(lambda: faq_services.ask(actor=personas["agent"], question="停车费怎么交？"))
    assert refused.status == 403 and refused.code == error_codes.OWNERS_ONLY


def test_the_services_raise_no_literal_codes():
    for module in ("services.py", "faq_services.py", "api.py", "views.py", "portal_views.py"):
        source = (APP / module).read_text(encoding="utf-8")
        assert not re.search(r"\bcode=[\"']", source), module
