"""Input cleaning the custody services share (errors name the field at fault)."""

from propdesk.estates.services._common import clean_choice, clean_field, clean_text

__all__ = ["clean_choice", "clean_field", "clean_text", "linked_in"]


def linked_in(record, house) -> bool:
    """Is a registry record (owner link, resident, agent) of this house's community?"""
    return record is not None and record.community_id == house.community_id
