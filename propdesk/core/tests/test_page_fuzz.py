"""Every console and portal page, fuzzed cheaply: hostile values in each search box, date and
period field (the address and the page's own form fields) answer a page or a 4xx, never a 500.

Found by fuzzing: a NUL character in a search reached PostgreSQL (which refuses NUL in text), and
year 0 or year 1 in a period or date broke the date arithmetic behind it.
"""

import datetime
import re

import pytest
import time_machine
from django.urls import URLResolver, get_resolver

from propdesk.conftest import make_user

HOSTILE = {
    "nul": "a\x00b",
    "oversized": "张" * 5000,
    "year_zero_month": "0000-01",
    "year_zero_day": "0000-01-01",
    "year_one_day": "0001-01-01",
    "year_9999": "9999-12-31",
    "month_13": "2026-13",
    "fullwidth": "２０２６-０７",
    "markup": "<script>alert(1)</script>' OR 1=1 --",
    "negative": "-1",
}
# The names the pages read from the address for searches, dates, periods and filters.
PARAMS = [
    "q",
    "period",
    "month",
    "date",
    "date_from",
    "date_to",
    "community",
    "building",
    "status",
    "state",
    "kind",
    "page",
    "cursor",
]
SKIP = ("admin/", "accounts/login", "accounts/logout", "m/login", "m/logout", "i18n/", "healthz")
NOW = datetime.datetime(2026, 7, 10, 10, 0, tzinfo=datetime.UTC)


def _pages() -> list[str]:
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern)

    routes = [r for r in walk(get_resolver().url_patterns) if "<" not in r and "(?P" not in r]
    return sorted(
        "/" + r for r in set(routes) if not r.startswith(("api", *SKIP)) and r not in {"^$"}
    )


PAGES = _pages()
_FIELD_RE = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"")


@pytest.fixture
def callers(client, personas, house_a, zhang_san):
    from propdesk.billing.services.schedule import billing_defaults_ensure
    from propdesk.estates.models import Owner

    billing_defaults_ensure(community=house_a.community)
    owner_user = make_user("portal_owner", "owner", house_a.community)
    Owner.objects.filter(pk=zhang_san.pk).update(user=owner_user)
    return {"admin": personas["admin"], "supervisor": personas["supervisor"], "owner": owner_user}


def _as(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("path", PAGES)
def test_hostile_values_in_the_address_never_answer_500(client, callers, path):
    user = callers["owner"] if path.startswith("/m/") else callers["admin"]
    caller = _as(client, user)
    with time_machine.travel(NOW, tick=False):
        for name, value in HOSTILE.items():
            response = caller.get(path, dict.fromkeys(PARAMS, value))
            assert response.status_code < 500, (path, name)
            if name == "nul":
                assert response.status_code == 400, (path, response.status_code)


@pytest.mark.parametrize("path", PAGES)
def test_hostile_values_in_every_form_field_never_answer_500(client, callers, path):
    user = callers["owner"] if path.startswith("/m/") else callers["supervisor"]
    caller = _as(client, user)
    with time_machine.travel(NOW, tick=False):
        page = caller.get(path)
        fields = set(PARAMS)
        if page.status_code == 200 and "html" in page.get("Content-Type", ""):
            fields |= set(_FIELD_RE.findall(page.content.decode()))
        fields.discard("csrfmiddlewaretoken")
        for name, value in HOSTILE.items():
            response = caller.post(path, dict.fromkeys(fields, value))
            assert response.status_code < 500, (path, name)
