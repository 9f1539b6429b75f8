"""How a satisfaction score (1–5) reads: in words and stars (非常满意 ★★★★★ … 非常不满意 ★)."""

from django.utils.translation import gettext_lazy as _

SATISFACTION_LABELS = {
    5: _("Very satisfied"),
    4: _("Satisfied"),
    3: _("Neutral"),
    2: _("Dissatisfied"),
    1: _("Very dissatisfied"),
}


def stars(score) -> str:
    """★★★★☆ for 4 (an average is rounded to the nearest star)."""
    filled = max(0, min(5, int(round(float(score)))))
    return "★" * filled + "☆" * (5 - filled)


def satisfaction_text(score) -> str:
    """ "★★★★☆ 满意" for 4; empty for no score."""
    if score in (None, ""):
        return ""
    score = int(score)
    return f"{stars(score)} {SATISFACTION_LABELS.get(score, score)}"


def satisfaction_choices() -> list[tuple[int, str]]:
    """The choices of a rating form, best first, each in stars and words."""
    return [(n, satisfaction_text(n)) for n in range(5, 0, -1)]
