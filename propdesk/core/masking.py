"""Masking of personal data shown in lists and to roles without the right to see it."""


def mask_mobile(value: str | None) -> str:
    """138****5678."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:3]}****{value[-4:]}"


def mask_id_number(value: str | None) -> str:
    """4401**********1234: the first four and the last four characters stay.

    Passports and permits are shorter (8-9 characters): keeping eight of them would hide almost
    nothing, so only two stay at each end.
    """
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    if len(value) < 15:
        return f"{value[:2]}{'*' * (len(value) - 4)}{value[-2:]}"
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


def mask_plate(value: str | None) -> str:
    """粤B***45: province, city letter and the last two characters stay."""
    if not value:
        return ""
    if len(value) <= 4:
        return "*" * len(value)
    return f"{value[:2]}{'*' * (len(value) - 4)}{value[-2:]}"


def mask_email(value: str | None) -> str:
    """z***@example.com: the first character of the mailbox and the domain stay."""
    if not value:
        return ""
    local, at, domain = value.partition("@")
    if not at:
        return mask_opaque(value)
    return f"{local[:1]}***@{domain}"


def mask_opaque(value: str | None) -> str:
    """An address of unknown kind (an app account id): its first three characters stay."""
    if not value:
        return ""
    return f"{value[:3]}***" if len(value) > 6 else "*" * len(value)


def mask_recipient(value: str | None) -> str:
    """Where a message goes, as a log may show it: a mobile, an email address or an account id."""
    value = (value or "").strip()
    if value.isdigit() or value.startswith("+"):
        return mask_mobile(value)
    if "@" in value:
        return mask_email(value)
    return mask_opaque(value)


MASKERS = {"mobile": mask_mobile, "id_number": mask_id_number, "plate": mask_plate}
