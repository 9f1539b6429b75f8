"""Stable error codes of the community app (STYLE.md rule 3): every AppError its services raise
carries one of these, so API clients can react to them. Codes shared with the kernel (required,
too_long, bad_choice, not_found, the permission refusals) come from `core.error_codes`."""

from propdesk.core.error_codes import BAD_CHOICE, NOT_FOUND, REQUIRED, TOO_LONG

__all__ = ["BAD_CHOICE", "NOT_FOUND", "REQUIRED", "TOO_LONG"]

# values
BAD_CHARACTERS = "bad_characters"
BAD_TIME = "bad_time"
BAD_DATE = "bad_date"
TOO_EARLY = "too_early"
TOO_LATE = "too_late"
FUTURE_DATE = "future_date"
TOO_MANY = "too_many"
BAD_NUMBER = "bad_number"
BAD_IDS = "bad_ids"
NOT_CHANGEABLE = "not_changeable"

# incidents and plans
INCIDENT_CLOSED = "incident_closed"
OUTSIDE_SCOPE = "outside_scope"
ALREADY_LINKED = "already_linked"
BAD_SCOPE = "bad_scope"
DRILL = "drill"
BAD_BROADCAST_KIND = "bad_broadcast_kind"
ALREADY_DONE = "already_done"
NOT_DONE = "not_done"
HOUSE_REQUIRED = "house_required"
LINK_REQUIRED = "link_required"
BAD_SHIFT = "bad_shift"
BAD_STEPS = "bad_steps"

# special care
REVEAL_FORBIDDEN = "reveal_forbidden"
NOT_ON_CARE_LIST = "not_on_care_list"
VISIT_TOO_OLD = "visit_too_old"
ALREADY_RECORDED = "already_recorded"

# front-desk visit log
REFERRAL_REQUIRED = "referral_required"
CALLBACK_REQUIRED = "callback_required"
CATEGORY_REQUIRED = "category_required"

# activities
FULL = "full"
SIGNUP_CLOSED = "signup_closed"
ALREADY_SIGNED_UP = "already_signed_up"
NOT_IN_AUDIENCE = "not_in_audience"
ACTIVITY_CANCELLED = "activity_cancelled"
ALREADY_CANCELLED = "already_cancelled"
ALREADY_CHECKED_IN = "already_checked_in"
NOT_STARTED = "not_started"
BAD_WINDOW = "bad_window"

# owner visits, forums, greetings, warnings
ALREADY_SUGGESTION = "already_suggestion"
ALREADY_SENT = "already_sent"
NO_ID_NUMBER = "no_id_number"
BAD_COMMUNITIES = "bad_communities"
NOT_A_FORUM = "not_a_forum"
