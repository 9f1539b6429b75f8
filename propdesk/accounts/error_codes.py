"""Stable error codes of this app: clients may react to them (STYLE.md rule 3)."""

ALREADY_REVOKED = "already_revoked"
NOT_A_STAFF_ROLE = "not_a_staff_role"
SUPERUSER_ONLY = "superuser_only"
OWN_ACCESS = "own_access"
