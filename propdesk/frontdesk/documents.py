"""Printable records of the procedures: the move-in record and the decoration permit (with a QR
code a guard scans to check it). Written in the site's language with the embedded Chinese font
of the fees app's documents (billing.documents), so they render in any viewer."""

import io

import segno
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from propdesk.core.masking import mask_mobile
from propdesk.core.pdf import cjk_font

LEFT = 18 * mm


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


class _Page:
    """A4 page writer: lines top to bottom, a new page when the bottom is reached."""

    def __init__(self, title: str):
        self.buffer = io.BytesIO()
        self.pdf = canvas.Canvas(self.buffer, pagesize=A4)
        self.width, self.height = A4
        self.font = cjk_font()
        self.pdf.setTitle(title)
        self.y = self.height - 20 * mm

    def title(self, text: str) -> None:
        self.pdf.setFont(self.font, 16)
        self.pdf.drawCentredString(self.width / 2, self.y, text)
        self.y -= 11 * mm

    def heading(self, text: str) -> None:
        self.space(10 * mm)
        self.y -= 2 * mm
        self.pdf.setFont(self.font, 12)
        self.pdf.drawString(LEFT, self.y, text)
        self.y -= 7 * mm

    def line(self, text: str, *, right: str = "", size: int = 10, indent: float = 0) -> None:
        self.space(6 * mm)
        self.pdf.setFont(self.font, size)
        self.pdf.drawString(LEFT + indent, self.y, text[:80])
        if right:
            self.pdf.drawRightString(self.width - LEFT, self.y, right[:50])
        self.y -= 6 * mm

    def space(self, needed: float) -> None:
        if self.y - needed < 18 * mm:
            self.pdf.showPage()
            self.y = self.height - 20 * mm

    def done(self) -> bytes:
        self.pdf.showPage()
        self.pdf.save()
        return self.buffer.getvalue()


def move_in_record_pdf(move_in) -> bytes:
    """入伙记录: the house, who came, documents checked, forms collected, the steps with who
    ticked them and when, and the inspection results."""
    with translation.override(settings.LANGUAGE_CODE):
        page = _Page(f"{_('Move-in record')} {move_in.number}")
        page.title(f"{move_in.house.community.name} {_('Move-in record')}")
        page.line(
            f"{_('No.')} {move_in.number}", right=f"{_('Status')} {move_in.get_status_display()}"
        )
        page.line(f"{_('House')} {move_in.house.code}    {_('Owner')} {move_in.owner.name}")
        page.line(
            f"{_('Who came')} {move_in.get_applicant_kind_display()}: {move_in.person_name} "
            f"{mask_mobile(move_in.person_mobile)}"
        )
        page.heading(_("Documents checked"))
        for item in move_in.document_items:
            mark = "√" if item.checked_at else "□"
            number = item.document.archive_number if item.document_id else ""
            page.line(f"{mark} {item.label}", right=number, indent=4 * mm)
        page.heading(_("Forms collected"))
        for item in move_in.form_items:
            mark = "√" if item.checked_at else "□"
            page.line(f"{mark} {item.label}", indent=4 * mm)
        page.heading(_("Steps"))
        for step in move_in.step_list:
            who = f"{step.done_by.display_name} {_when(step.done_at)}" if step.is_done else "—"
            page.line(f"{step.position}. {step.label}", right=who, indent=4 * mm)
            if step.note:
                page.line(step.note, size=9, indent=10 * mm)
        for inspection in move_in.inspection_list:
            page.heading(f"{_('House inspection')} {inspection.number}")
            for result in inspection.results.all():
                page.line(
                    f"{result.name}: {result.get_outcome_display()} {result.note}"[:80],
                    indent=4 * mm,
                )
        page.heading(_("Signatures"))
        page.line(f"{_('Owner or agent')}: ______________    {_('Staff')}: ______________")
        return page.done()


def qr_png(text: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=4, border=2)
    return buffer.getvalue()


def permit_pdf(permit, *, check_url: str) -> bytes:
    """装修许可证: house, owner, contractor, period, the permitted hours and prohibitions, and a
    QR code that opens the permit's page for a check on site."""
    rules = permit.rules
    with translation.override(settings.LANGUAGE_CODE):
        page = _Page(f"{_('Decoration permit')} {permit.number}")
        page.title(f"{permit.house.community.name} {_('Decoration permit')}")
        qr = ImageReader(io.BytesIO(qr_png(check_url)))
        page.pdf.drawImage(qr, page.width - LEFT - 32 * mm, page.y - 28 * mm, 32 * mm, 32 * mm)
        page.line(f"{_('No.')} {permit.number}")
        page.line(f"{_('House')} {permit.house.code}    {_('Owner')} {permit.owner.name}")
        page.line(f"{_('Contractor')} {permit.contractor_name}")
        page.line(
            f"{_('Responsible person')} {permit.contractor_leader} "
            f"{mask_mobile(permit.contractor_mobile)}    {_('Workers')} {permit.workers}"
        )
        page.line(f"{_('Works period')} {permit.starts_on:%Y-%m-%d} — {permit.ends_on:%Y-%m-%d}")
        page.line(f"{_('Issued')} {_when(permit.issued_at)}")
        page.heading(_("Permitted working hours"))
        page.line(rules.hours_text(), indent=4 * mm)
        page.heading(_("Prohibitions"))
        for number, text in enumerate(rules.prohibition_list(), start=1):
            page.line(f"{number}. {text}", indent=4 * mm)
        page.heading(_("Scope of the works"))
        for text in permit.scope.splitlines()[:10]:
            page.line(text, indent=4 * mm)
        page.line("")
        page.line(_("Keep this permit displayed at the entrance during the works."), size=9)
        return page.done()
