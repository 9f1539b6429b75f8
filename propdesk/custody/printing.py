"""The pass's QR code (inline SVG for pages) and the printable pass (PDF with embedded Chinese
font, billing.documents' font helper), written in the site's language like other documents
handed to residents."""

import io

import segno
from django.conf import settings
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from propdesk.core.pdf import cjk_font
from propdesk.custody.models import ReleasePass
from propdesk.custody.services.passes import qr_payload


def qr_svg(release_pass: ReleasePass, base_url: str = "", scale: int = 4) -> SafeString:
    """An inline <svg> of the pass's QR code; the payload is our own URL or code, never input."""
    qr = segno.make(qr_payload(release_pass.code, base_url), error="m")
    return mark_safe(qr.svg_inline(scale=scale, title=release_pass.display_code))  # noqa: S308


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else "—"


def pass_pdf(release_pass: ReleasePass, base_url: str = "") -> bytes:
    """A5 portrait release pass: code and QR code, house, applicant, items, date, validity."""
    with translation.override(settings.LANGUAGE_CODE):
        buffer = io.BytesIO()
        width, height = A5
        pdf = canvas.Canvas(buffer, pagesize=A5)
        font = cjk_font()
        pdf.setTitle(f"{_('Release pass')} {release_pass.display_code}")
        pdf.setFont(font, 18)
        pdf.drawCentredString(
            width / 2, height - 18 * mm, f"{release_pass.community.name} {_('Release pass')}"
        )
        pdf.setFont(font, 14)
        pdf.drawCentredString(
            width / 2, height - 27 * mm, f"{_('Pass code')} {release_pass.display_code}"
        )
        # The QR code, drawn module by module so it stays vector in the PDF.
        qr = segno.make(qr_payload(release_pass.code, base_url), error="m")
        matrix = list(qr.matrix)
        size_mm = 45
        module = size_mm * mm / (len(matrix) + 8)
        left = (width - size_mm * mm) / 2 + 4 * module
        top = height - 32 * mm - 4 * module
        for row_index, row in enumerate(matrix):
            for col_index, dark in enumerate(row):
                if dark:
                    pdf.rect(
                        left + col_index * module,
                        top - (row_index + 1) * module,
                        module,
                        module,
                        stroke=0,
                        fill=1,
                    )
        y = height - 32 * mm - size_mm * mm - 8 * mm
        rows = [
            (_("Community"), release_pass.community.name),
            (_("House"), release_pass.house.code),
            (_("Applicant"), release_pass.applicant_name),
            (_("Shop or company"), release_pass.organisation or "—"),
            (_("Release date"), release_pass.release_on.isoformat()),
            # In full: the printed pass is what the guard checks the car against.
            (_("Vehicle plate"), release_pass.vehicle_plate or "—"),
            (_("Valid from"), _local(release_pass.valid_from)),
            (_("Valid until"), _local(release_pass.valid_until)),
            (_("Status"), release_pass.state_label()),
        ]
        pdf.setFont(font, 10)
        for label, value in rows:
            pdf.drawString(15 * mm, y, f"{label}:")
            pdf.drawString(45 * mm, y, str(value)[:40])
            y -= 6 * mm
        pdf.drawString(15 * mm, y, f"{_('Items')}:")
        y -= 6 * mm
        for line in release_pass.items.splitlines()[:10]:
            pdf.drawString(20 * mm, y, line[:45])
            y -= 5 * mm
        pdf.setFont(font, 8)
        pdf.drawString(
            15 * mm,
            10 * mm,
            _("Single use: the gate records the goods leaving and the pass is then void."),
        )
        pdf.showPage()
        pdf.save()
        return buffer.getvalue()
