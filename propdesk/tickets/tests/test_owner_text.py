"""What the owner is told at each step (DOMAIN.md §2: transparent progress)."""

from django.utils import translation

from propdesk.tickets import services
from propdesk.tickets.owner_text import owner_status_text


def test_the_owner_status_line_follows_the_request(desk, make_request):
    with translation.override("en"):
        request = make_request()
        assert owner_status_text(request) == (
            "Received as A2026000001. We will have it handled by 2026-03-19 09:30."
        )
        request = services.request_dispatch(
            actor=desk.agent, request=request, assignee=desk.technician
        )
        assert owner_status_text(request) == (
            "Passed to 工程部; expected to be done by 2026-03-19 09:30."
        )
        request = services.request_start(actor=desk.technician, request=request)
        assert owner_status_text(request) == (
            "工程部 is working on it; expected to be done by 2026-03-19 09:30."
        )
        request = services.request_wait(actor=desk.technician, request=request, note="等配件")
        assert owner_status_text(request).startswith("Waiting for you")
        request = services.request_resume(actor=desk.technician, request=request)
        request = services.request_resolve(actor=desk.technician, request=request, note="好了")
        assert owner_status_text(request) == (
            "Done on 2026-03-16 09:30. Please tell us whether you are satisfied."
        )
        request = services.follow_up_record(actor=desk.agent, request=request, satisfaction=2)
        assert owner_status_text(request) == (
            "Reopened after your feedback and passed to 工程部 again; "
            "expected to be done by 2026-03-19 09:30."
        )
        request = services.request_start(actor=desk.technician, request=request)
        request = services.request_resolve(actor=desk.technician, request=request, note="好了")
        request = services.follow_up_record(actor=desk.agent, request=request, satisfaction=5)
        assert owner_status_text(request) == "Closed. Thank you for your feedback."


def test_a_cancelled_request_says_why(desk, make_request):
    with translation.override("en"):
        request = services.request_cancel(
            actor=desk.agent, request=make_request(), reason="重复登记"
        )
        assert owner_status_text(request) == "Cancelled: 重复登记"
