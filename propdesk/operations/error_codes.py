"""Stable error codes of operations: clients may react to them (STYLE.md rule 3)."""

# equipment register
BAD_CODE = "bad_code"
CODE_TAKEN = "code_taken"
RETIRED = "retired"
ALREADY_LINKED = "already_linked"
BAD_DATE = "bad_date"
BAD_NUMBER = "bad_number"
NO_BOUNDS = "no_bounds"
BAD_BOUNDS = "bad_bounds"
UNKNOWN_CATEGORY = "unknown_category"

# patrols
POINT_OTHER_COMMUNITY = "point_other_community"
POINT_NOT_ON_ROUTE = "point_not_on_route"
POINT_ALREADY_CHECKED = "point_already_checked"
POINT_REPEATED = "point_repeated"
ROUTE_EMPTY = "route_empty"
ROUND_CLOSED = "round_closed"
NOT_YOUR_ROUND = "not_your_round"
BAD_ANSWERS = "bad_answers"
FINDING_NEEDS_NOTE = "finding_needs_note"
BAD_FREQUENCY = "bad_frequency"
BAD_PATROLLER = "bad_patroller"

# maintenance
BAD_INTERVAL = "bad_interval"
ORDER_CLOSED = "order_closed"
BAD_READING = "bad_reading"
BAD_COST = "bad_cost"
BAD_ENGINEER = "bad_engineer"

# temporary parking
PLATE_PARKED = "plate_parked"
STAY_CLOSED = "stay_closed"
STAY_NOT_DUE = "stay_not_due"
NO_PARKING_RATE = "no_parking_rate"
BAD_TIME = "bad_time"

# fee transparency
BAD_PERIOD = "bad_period"
PUBLICATION_OPEN = "publication_open"
PUBLICATION_PUBLISHED = "publication_published"
PUBLICATION_NOT_DRAFT = "publication_not_draft"
PUBLICATION_NOT_SUBMITTED = "publication_not_submitted"
NOT_PUBLISHED = "not_published"
FOUR_EYES = "four_eyes"
BAD_FILE = "bad_file"
