"""The after-action report (事件报告, seed 003 ch.4 §4): a PDF for superiors with the time, the
place, the measures, the restoration, the owners told and the follow-up, written in the site's
language with the embedded Chinese font (`core.pdf`), from the rows the incident page shows."""

import io
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from propdesk.community.models import Incident, IncidentKind, Severity
from propdesk.community.selectors import incident_detail
from propdesk.community.services.incidents import scope_label
from propdesk.core.pdf import cjk_font


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else "—"


def report_summary(incident: Incident, *, measures: str = "") -> str:
    """One paragraph in the words of seed 003's example: when, where, what, what was done and
    when it is (or was) restored."""
    text = _("At %(time)s, %(kind)s at %(place)s, %(community)s.") % {
        "time": _local(incident.opened_at),
        "kind": IncidentKind(incident.kind).label,
        "place": incident.place,
        "community": incident.community.name,
    }
    if measures:
        text += _(" Measures: %(measures)s.") % {"measures": measures.rstrip("。.；;")}
    if incident.restored_at:
        text += _(" Restored at %(time)s.") % {"time": _local(incident.restored_at)}
    elif incident.expected_restore_at:
        text += _(" Expected to be restored by %(time)s.") % {
            "time": _local(incident.expected_restore_at)
        }
    return text


def incident_pdf(incident: Incident) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        return _write(incident)


def _write(incident: Incident) -> bytes:
    font = cjk_font()
    detail = incident_detail(incident)
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=13)
    heading = ParagraphStyle("heading", parent=body, fontSize=13, leading=20, spaceBefore=8)
    title = ParagraphStyle("title", parent=body, fontSize=17, leading=24, alignment=1)

    def p(text, style=body):
        return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)

    def table(rows, widths):
        t = Table([[p(c, small) for c in row] for row in rows], colWidths=widths, repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return t

    measures = incident.measures or "；".join(t.title for t in detail["tasks"] if t.done_at)
    drill = _("(drill)") if incident.is_drill else ""
    report_title = _("Incident report")
    story = [
        p(f"{incident.community.name} {report_title}{drill}", title),
        Spacer(1, 4 * mm),
        p(report_summary(incident, measures=measures)),
        Spacer(1, 3 * mm),
        table(
            [
                [
                    _("Incident number"),
                    incident.number,
                    _("Kind"),
                    IncidentKind(incident.kind).label,
                ],
                [_("Severity"), Severity(incident.severity).label, _("Place"), incident.place],
                [_("Affected"), scope_label(incident), _("Opened by"), incident.opened_by],
                [
                    _("Opened at"),
                    _local(incident.opened_at),
                    _("Expected restoration"),
                    _local(incident.expected_restore_at),
                ],
                [
                    _("Restored at"),
                    _local(incident.restored_at),
                    _("Closed at"),
                    _local(incident.closed_at),
                ],
                [
                    _("Residents told"),
                    detail["people_told"],
                    _("Calls and requests linked"),
                    incident.linked_count,
                ],
            ],
            [28 * mm, 57 * mm, 32 * mm, 53 * mm],
        ),
        p(_("Steps of the plan"), heading),
        table(
            [[_("Step"), _("Due"), _("Done"), _("Done by")]]
            + [
                [
                    t.title + (f"（{t.note}）" if t.note else ""),
                    _local(t.due_at),
                    _local(t.done_at) if t.done_at else _("Not done"),
                    t.done_by or "—",
                ]
                for t in detail["tasks"]
            ],
            [80 * mm, 30 * mm, 30 * mm, 30 * mm],
        ),
        p(_("Notices to residents"), heading),
    ]
    if detail["broadcasts"]:
        story.append(
            table(
                [[_("Time"), _("Text"), _("People told")]]
                + [
                    [_local(b.created_at), b.text, b.recipients if b.delivered_at else "…"]
                    for b in detail["broadcasts"]
                ],
                [30 * mm, 115 * mm, 25 * mm],
            )
        )
    else:
        story.append(p(_("None (a drill is never broadcast).") if incident.is_drill else "—"))
    story += [
        p(_("Cause"), heading),
        p(incident.cause or _("Not closed yet.")),
        p(_("Measures taken"), heading),
        p(incident.measures or "—"),
        p(_("Prevention and follow-up"), heading),
    ]
    if detail["follow_ups"]:
        for item in detail["follow_ups"]:
            suffix = (
                _(" (request %(number)s)") % {"number": item.request.number} if item.request else ""
            )
            story.append(p(f"{item.position}. {item.text}{suffix}"))
    else:
        story.append(p("—"))
    story += [
        p(_("Incident timeline"), heading),
        table(
            [[_("Time"), _("What"), _("Person")]]
            + [
                [_local(e.at), f"{e.get_action_display()} {e.note}".strip()[:300], e.actor or "—"]
                for e in detail["entries"]
            ],
            [30 * mm, 110 * mm, 30 * mm],
        ),
    ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{report_title} {incident.number}",
    )
    doc.build(story)
    return buffer.getvalue()
