"""Stable error codes of keys, passes and the document register (clients may react to them)."""

# keys
KEY_ON_LOAN = "key_on_loan"
KEY_NOT_ON_LOAN = "key_not_on_loan"
KEY_RETIRED = "key_retired"
KEY_LABEL_TAKEN = "key_label_taken"
WRONG_BORROWER = "wrong_borrower"
ID_NOT_CHECKED = "id_not_checked"
NO_AUTHORITY_LETTER = "no_authority_letter"
NO_OWNER_CONFIRMATION = "no_owner_confirmation"
NOT_CONTRACTOR_LEAD = "not_contractor_lead"
WRONG_PURPOSE = "wrong_purpose"
NO_WITNESS = "no_witness"

# release passes
NOT_LINKED = "applicant_not_linked"
FEES_UNPAID = "fees_unpaid"
PASS_NOT_PENDING = "pass_not_pending"
PASS_USED = "pass_used"
PASS_EXPIRED = "pass_expired"
PASS_NOT_YET_VALID = "pass_not_yet_valid"
PASS_NOT_APPROVED = "pass_not_approved"
PASS_UNKNOWN = "pass_unknown"
BAD_DATE = "bad_date"

# document register
DOCUMENT_LENT = "document_lent"
DOCUMENT_NOT_LENT = "document_not_lent"
OUT_OF_RANGE = "out_of_range"
NOT_OWN_RECORD = "not_own_record"
NOT_OWNER_ACCOUNT = "not_owner_account"
ROLE_FORBIDDEN = "role_forbidden"
OTHER_COMMUNITY = "other_community"
