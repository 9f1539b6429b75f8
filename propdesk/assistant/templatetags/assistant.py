from django import template

from propdesk.assistant.replies import suggest_replies

register = template.Library()


@register.inclusion_tag("assistant/partials/replies.html")
def assistant_replies(item, phrases):
    """Suggested replies for a request on the workbench (standard phrases and FAQ answers)."""
    try:
        replies = suggest_replies(item, phrases or [])
    except Exception:  # noqa: BLE001 - a suggestion must never break the workbench
        replies = []
    return {"replies": replies}
