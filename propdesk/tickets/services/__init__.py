"""Every write to service requests goes through one of these functions (STYLE.md rule 2)."""

from propdesk.tickets.services.complaints import (
    complaint_verify,
    solution_decide,
    solution_propose,
)
from propdesk.tickets.services.configure import phrase_create, phrase_update, policy_update
from propdesk.tickets.services.follow_up import follow_up_record, follow_up_unreachable
from propdesk.tickets.services.follow_up_link import follow_up_link_answer, follow_up_link_send
from propdesk.tickets.services.intake import (
    request_create,
    request_link_call,
    request_number_next,
)
from propdesk.tickets.services.sla import clock_escalate, sla_sweep
from propdesk.tickets.services.transitions import (
    request_accept,
    request_cancel,
    request_close,
    request_dispatch,
    request_follow_up_begin,
    request_reassign,
    request_reopen,
    request_resolve,
    request_resume,
    request_start,
    request_transition,
    request_wait,
)
from propdesk.tickets.services.visits import visit_window_set
from propdesk.tickets.services.work import cost_decide, cost_propose, note_add, photo_add

__all__ = [
    "clock_escalate",
    "complaint_verify",
    "cost_decide",
    "cost_propose",
    "follow_up_link_answer",
    "follow_up_link_send",
    "follow_up_record",
    "follow_up_unreachable",
    "note_add",
    "phrase_create",
    "phrase_update",
    "photo_add",
    "policy_update",
    "request_accept",
    "request_cancel",
    "request_close",
    "request_create",
    "request_dispatch",
    "request_follow_up_begin",
    "request_link_call",
    "request_number_next",
    "request_reassign",
    "request_reopen",
    "request_resolve",
    "request_resume",
    "request_start",
    "request_transition",
    "request_wait",
    "sla_sweep",
    "visit_window_set",
    "solution_decide",
    "solution_propose",
]
