"""Stable error codes of the quality app (clients may react to them)."""

# calls
CALL_ENDED = "call_ended"
CALL_NOT_YOURS = "call_not_yours"
NOT_AWAITING_CALLBACK = "not_awaiting_callback"
BAD_NUMBER = "bad_number"
OUTCOME_NEEDS_REQUEST = "outcome_needs_request"

# telephone system events
UNSIGNED = "unsigned"
BAD_SIGNATURE = "bad_signature"
STALE = "stale_timestamp"
NOT_CONFIGURED = "not_configured"
TOO_LARGE = "too_large"
BAD_BODY = "bad_body"
UNKNOWN_LINE = "unknown_line"

# call-detail import
BAD_FILE = "bad_file"
BAD_ROWS = "bad_rows"

# surveys
ROUND_EXISTS = "round_exists"
ROUND_CLOSED = "round_closed"
ALREADY_ANSWERED = "already_answered"
FOLLOW_UP_DECIDED = "decided"
NO_FOLLOW_UP_TASK = "no_task"
NOT_IN_SURVEY = "not_in_survey"
BAD_SCORE = "bad_score"
BAD_SAMPLE = "bad_sample"
NOBODY_TO_ASK = "nobody_to_ask"
NOT_YOUR_TASK = "not_your_task"

# quality reviews
OWN_WORK = "own_work"
SUPERSEDED = "superseded"
NOT_YOUR_REVIEW = "not_yours"
REVIEW_ANSWERED = "answered"
NO_APPEAL = "no_appeal"
SAME_SUPERVISOR = "same_supervisor"
OTHER_COMMUNITY = "other_community"

# figures and periods
BAD_PERIOD = "bad_period"
BAD_MARKS = "bad_marks"
NOT_ON_FORM = "not_on_form"
BAD_POINTS = "bad_points"
ONE_SUBJECT = "one_subject"
BAD_VALUE = "bad_value"
BAD_RECORDING = "bad_recording"

# training and exams
BAD_OPTIONS = "bad_options"
BAD_ANSWER_KEY = "bad_answer_key"
BAD_TOPIC_COUNTS = "bad_topic_counts"
COMPANY_BANK = "company_bank"
EXAM_NOT_OPEN = "exam_not_open"
ATTEMPT_OPEN_ELSEWHERE = "attempt_open_elsewhere"
EXAM_PASSED = "exam_passed"
NO_ATTEMPTS_LEFT = "no_attempts_left"
EMPTY_BANK = "empty_bank"
NOT_YOUR_ATTEMPT = "not_your_attempt"
TIME_UP = "time_up"
ATTEMPT_FINISHED = "attempt_finished"
NOT_IN_EXAM = "not_in_exam"
MONTH_CLOSED = "month_closed"

# assessment rules
WEIGHTS_SUM = "weights_sum"
COMPANY_RULES = "company_rules"
