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


MASKERS = {"mobile": mask_mobile, "id_number": mask_id_number, "plate": mask_plate}
