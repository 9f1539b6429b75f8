"""Fixtures of the quality tests: a frozen clock, the hotline line of community A (and B), the
agent's extension, and a signed-event helper.

The clock stands at 2026-07-10 10:00 in Shanghai unless a test moves it.
"""

import contextlib
import datetime
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 7, 10, 10, 0, tzinfo=SHANGHAI)
SECRET = "pbx-test-secret"  # noqa: S105


@pytest.fixture(autouse=True)
def clock(request):
    if request.node.get_closest_marker("browser"):
        with time_machine.travel(NOW, tick=True) as traveller:
            yield traveller
        return
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _pbx_secret(settings):
    settings.PBX_WEBHOOK_SECRET = SECRET


def quality_snapshot() -> dict:
    """Every row a quality write could touch, comparable before and after."""
    from propdesk.core.models import AccessLog, AuditEvent, NumberSequence, OutboxMessage
    from propdesk.tickets.models import ServiceRequest

    models = [
        *apps.get_app_config("quality").get_models(),
        AuditEvent,
        AccessLog,
        NumberSequence,
        OutboxMessage,
        ServiceRequest,
    ]
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in models}


@pytest.fixture
def nothing_changes():
    @contextlib.contextmanager
    def check():
        before = quality_snapshot()
        yield
        assert quality_snapshot() == before

    return check


@pytest.fixture
def supervisor(personas):
    return personas["supervisor"]


@pytest.fixture
def line_a(community_a):
    from propdesk.quality.models import HotlineLine

    return HotlineLine.objects.create(number="4008001000", community=community_a, name="甲热线")


@pytest.fixture
def line_b(community_b):
    from propdesk.quality.models import HotlineLine

    return HotlineLine.objects.create(number="4008002000", community=community_b, name="乙热线")


@pytest.fixture
def extension(agent):
    from propdesk.quality.models import AgentExtension

    return AgentExtension.objects.create(extension="8001", user=agent)


def signed(payload, *, timestamp=None, secret=SECRET):
    """Headers and body of an event the telephone system would send."""
    from propdesk.quality.services.pbx import sign

    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    stamp = str(int(NOW.timestamp()) if timestamp is None else timestamp)
    return {
        "HTTP_X_PBX_TIMESTAMP": stamp,
        "HTTP_X_PBX_SIGNATURE": sign(stamp, body, secret.encode()),
    }, body


def event(call_id="C1", kind="ring", at=None, **extra):
    at = at or NOW
    return {
        "call_id": call_id,
        "event": kind,
        "at": at.isoformat(),
        "line": "4008001000",
        "number": "13812345678",
        **extra,
    }


@pytest.fixture
def post_event(client):
    def send(payload, **kwargs):
        headers, body = signed(payload, **kwargs)
        return client.post(
            "/api/calls/events", data=body, content_type="application/json", **headers
        )

    return send


@pytest.fixture
def missed_call(line_a, zhang_san):
    """张三 rang the hotline at 09:30 and hung up after 20 s unanswered."""
    from propdesk.quality.services import pbx

    at = NOW - datetime.timedelta(minutes=30)
    for kind, when, extra in (
        ("ring", at, {}),
        ("hangup", at + datetime.timedelta(seconds=20), {"cause": "caller"}),
    ):
        body = json.dumps(event("M1", kind, when, **extra)).encode()
        call, _applied = pbx.event_apply(pbx.parse(body))
    return call


@pytest.fixture
def api(personas):
    from propdesk.api.tests.helpers import ApiCaller

    return ApiCaller(personas)


@pytest.fixture
def live_call(agent, community_a, zhang_san):
    """张三 is on the line with the agent now."""
    from propdesk.quality.services.calls import call_start

    return call_start(actor=agent, community=community_a, number="138 1234 5678")


@pytest.fixture
def repair_request(agent, house_a, zhang_san):
    from propdesk.tickets.services import request_create

    return request_create(
        actor=agent,
        house=house_a,
        kind="repair",
        category="repair_water",
        urgency="normal",
        description="厨房水管漏水",
        caller_owner=zhang_san,
    )


GOOD_CSV = (
    "P1,inbound,4008001000,13812345678,8001,2026-07-09 09:00:00,2026-07-09 09:00:02,"
    "2026-07-09 09:03:02,agent,\n"
)
CSV_HEADER = "call_id,direction,line,number,agent,ring_at,answered_at,ended_at,cause,rings\n"


def csv_file(rows: str, *, header: str = CSV_HEADER, encoding: str = "utf-8"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("cdr.csv", (header + rows).encode(encoding), content_type="text/csv")


@pytest.fixture
def owner_account(personas, zhang_san):
    """张三's portal account (the owner persona), linked to his archive record."""
    from propdesk.estates.models import Owner

    account = personas["owner"]
    account.mobile = "13812345678"
    account.save(update_fields=["mobile"])
    Owner.objects.filter(pk=zhang_san.pk).update(user=account)
    return account


@pytest.fixture
def survey_round(supervisor, community_a, zhang_san, owner_account):
    from propdesk.quality.services.surveys import survey_round_open

    return survey_round_open(actor=supervisor, community=community_a)


def good_answers(survey_round, score=5) -> dict:
    answers = {}
    for question in survey_round.questionnaire.questions.all():
        if question.kind == "scale":
            answers[f"q{question.pk}"] = score
        elif question.kind == "single":
            answers[f"q{question.pk}"] = question.options[0]
        elif question.kind == "multiple":
            answers[f"q{question.pk}"] = question.options[:2]
        else:
            answers[f"q{question.pk}"] = "保安很负责"
    return answers
