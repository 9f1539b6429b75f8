"""Fee transparency (收支公示), seed 003 ch.6 §9.

A supervisor prepares a period's publication: the fee income is read from the ledger
(`billing.selectors.reports.income_by_source`), the spending entered or imported from Excel by
category. It is submitted for review, and a second person — never the one who prepared it —
publishes it (or sends it back with a note). Publishing writes an announcement to the community's
owners and fixes the figures: nothing of a published version changes. A correction is a new
version of the same period with its reason; publishing it marks the one it corrects superseded,
which stays readable.
"""

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from propdesk.billing.rules import add_months
from propdesk.billing.selectors.reports import income_by_source
from propdesk.core.audit import record_change
from propdesk.core.cleaning import clean_month, clean_text
from propdesk.core.errors import AppError, Conflict, PermissionDenied, ValidationFailed
from propdesk.core.money import MoneyError, format_yuan, from_fen, parse_amount, to_fen
from propdesk.core.permissions import Perm, require
from propdesk.estates.excel.upload import check_upload
from propdesk.estates.models import Community
from propdesk.operations import error_codes
from propdesk.operations.models import (
    FeePublication,
    LineKind,
    PublicationLine,
    PublicationStatus,
)

MAX_MONTHS = 12
MAX_LINES = 500
IMPORT_HEADERS = {
    "类别": "category",
    "category": "category",
    "金额": "amount",
    "amount": "amount",
    "说明": "note",
    "备注": "note",
    "note": "note",
}


def period_bounds(publication: FeePublication) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(publication.period_from, datetime.time.min, tz)
    end = datetime.datetime.combine(add_months(publication.period_to, 1), datetime.time.min, tz)
    return start, end


def _locked(publication: FeePublication) -> FeePublication:
    return FeePublication.objects.select_for_update().get(pk=publication.pk)


def _require_draft(publication: FeePublication) -> None:
    if publication.status != PublicationStatus.DRAFT:
        raise Conflict(
            _(
                "Only a publication being prepared can change; a published one is corrected by a "
                "new version."
            ),
            code=error_codes.PUBLICATION_NOT_DRAFT,
            field="publication",
        )


def _totals(publication: FeePublication) -> None:
    sums = {
        row["kind"]: row["total"]
        for row in publication.lines.values("kind").annotate(total=Sum("amount_fen")).order_by()
    }
    publication.income_fen = sums.get(LineKind.INCOME, 0)
    publication.spending_fen = sums.get(LineKind.SPENDING, 0)
    publication.save(update_fields=["income_fen", "spending_fen"])


def _income_write(publication: FeePublication) -> None:
    start, end = period_bounds(publication)
    publication.lines.filter(kind=LineKind.INCOME).delete()
    PublicationLine.objects.bulk_create(
        PublicationLine(
            community_id=publication.community_id,
            publication=publication,
            kind=LineKind.INCOME,
            category=name[:60],
            amount_fen=fen,
        )
        for name, fen in income_by_source(publication.community_id, start, end)
    )


def _clean_period(period_from, period_to) -> tuple[datetime.date, datetime.date]:
    first = clean_month("period_from", period_from, code=error_codes.BAD_PERIOD)
    last = clean_month("period_to", period_to, code=error_codes.BAD_PERIOD)
    if last < first:
        raise ValidationFailed(
            _("The last month comes after the first."),
            code=error_codes.BAD_PERIOD,
            field="period_to",
        )
    if add_months(first, MAX_MONTHS) <= last:
        raise ValidationFailed(
            _("Publish at most %(n)d months at once.") % {"n": MAX_MONTHS},
            code=error_codes.BAD_PERIOD,
            field="period_to",
        )
    if last > timezone.localdate().replace(day=1):
        raise ValidationFailed(
            _("A publication reports months that have begun."),
            code=error_codes.BAD_PERIOD,
            field="period_to",
        )
    return first, last


def _default_title(first: datetime.date, last: datetime.date) -> str:
    if first == last:
        return _("Fee income and spending, %(month)s") % {"month": f"{first:%Y-%m}"}
    return _("Fee income and spending, %(first)s to %(last)s") % {
        "first": f"{first:%Y-%m}",
        "last": f"{last:%Y-%m}",
    }


@transaction.atomic
def publication_prepare(
    *, actor, community: Community, period_from, period_to, title: str = ""
) -> FeePublication:
    """Start a period's publication: its income from the ledger; spending is added next."""
    require(actor, Perm.PUBLICATION_PREPARE, community.id)
    first, last = _clean_period(period_from, period_to)
    title = clean_text("title", title, max_length=100) or _default_title(first, last)
    same = FeePublication.objects.filter(community=community, period_from=first, period_to=last)
    if same.filter(status=PublicationStatus.PUBLISHED).exists():
        raise Conflict(
            _("This period is published: correct it with a new version."),
            code=error_codes.PUBLICATION_PUBLISHED,
            field="period_from",
        )
    return _create(actor=actor, community=community, first=first, last=last, title=title)


def _create(*, actor, community, first, last, title, supersedes=None, reason="") -> FeePublication:
    open_one = Conflict(
        _("A publication of this period is already being prepared."),
        code=error_codes.PUBLICATION_OPEN,
        field="period_from",
    )
    same = FeePublication.objects.filter(community=community, period_from=first, period_to=last)
    if same.filter(status__in=(PublicationStatus.DRAFT, PublicationStatus.SUBMITTED)).exists():
        raise open_one
    version = (supersedes.version + 1) if supersedes else 1
    try:
        with transaction.atomic():
            publication = FeePublication.objects.create(
                community=community,
                period_from=first,
                period_to=last,
                version=version,
                title=title,
                supersedes=supersedes,
                correction_reason=reason,
                prepared_by=actor,
            )
    except IntegrityError as exc:  # prepared at the same moment by someone else
        raise open_one from exc
    _income_write(publication)
    if supersedes is not None:
        PublicationLine.objects.bulk_create(
            PublicationLine(
                community_id=community.id,
                publication=publication,
                kind=LineKind.SPENDING,
                category=line.category,
                amount_fen=line.amount_fen,
                note=line.note,
            )
            for line in supersedes.lines.filter(kind=LineKind.SPENDING)
        )
    _totals(publication)
    record_change(actor=actor, instance=publication, action="publication_prepared")
    return publication


@transaction.atomic
def publication_correct(*, actor, publication: FeePublication, reason) -> FeePublication:
    """A new version of a published period, with the reason; its spending copied to amend."""
    require(actor, Perm.PUBLICATION_PREPARE, publication.community_id)
    publication = _locked(publication)
    if publication.status != PublicationStatus.PUBLISHED:
        raise Conflict(
            _("Only the published version is corrected."),
            code=error_codes.NOT_PUBLISHED,
            field="publication",
        )
    reason = clean_text("reason", reason, max_length=300, required=True)
    return _create(
        actor=actor,
        community=publication.community,
        first=publication.period_from,
        last=publication.period_to,
        title=publication.title,
        supersedes=publication,
        reason=reason,
    )


@transaction.atomic
def publication_income_refresh(*, actor, publication: FeePublication) -> FeePublication:
    """Read the period's income from the ledger again (payments taken since it was prepared)."""
    require(actor, Perm.PUBLICATION_PREPARE, publication.community_id)
    publication = _locked(publication)
    _require_draft(publication)
    _income_write(publication)
    _totals(publication)
    return publication


def _clean_line(category, amount, note) -> dict:
    category = clean_text("category", category, max_length=60, required=True)
    try:
        fen = to_fen(parse_amount(amount))
    except MoneyError as exc:
        raise ValidationFailed(exc.message, code="bad_amount", field="amount") from exc
    return {
        "category": category,
        "amount_fen": fen,
        "note": clean_text("note", note, max_length=200),
    }


def _room(publication: FeePublication, adding: int) -> None:
    if publication.lines.filter(kind=LineKind.SPENDING).count() + adding > MAX_LINES:
        raise ValidationFailed(
            _("At most %(n)d spending lines.") % {"n": MAX_LINES},
            code=error_codes.BAD_FILE,
            field="category",
        )


@transaction.atomic
def spending_add(
    *, actor, publication: FeePublication, category, amount, note: str = ""
) -> PublicationLine:
    require(actor, Perm.PUBLICATION_PREPARE, publication.community_id)
    publication = _locked(publication)
    _require_draft(publication)
    values = _clean_line(category, amount, note)
    _room(publication, 1)
    line = PublicationLine.objects.create(
        community_id=publication.community_id,
        publication=publication,
        kind=LineKind.SPENDING,
        **values,
    )
    _totals(publication)
    return line


@transaction.atomic
def spending_remove(*, actor, publication: FeePublication, line_id) -> FeePublication:
    require(actor, Perm.PUBLICATION_PREPARE, publication.community_id)
    publication = _locked(publication)
    _require_draft(publication)
    deleted, _rows = publication.lines.filter(kind=LineKind.SPENDING, pk=line_id).delete()
    if not deleted:
        raise ValidationFailed(_("No such spending line."), field="line")
    _totals(publication)
    return publication


@dataclass
class SpendingImportResult:
    rows: int = 0
    good: int = 0
    errors: list[dict] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)
    written: bool = False


def _read(upload) -> list[tuple[int, dict]]:
    check_upload(upload)
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise ValidationFailed(
            _("The file is not an Excel workbook (.xlsx)."), code=error_codes.BAD_FILE, field="file"
        ) from exc
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True, max_col=10)
        header = next(rows, None) or ()
        columns = [IMPORT_HEADERS.get(str(name or "").strip().lower()) for name in header]
        missing = [name for name in ("category", "amount") if name not in columns]
        if missing:
            raise ValidationFailed(
                _("The header row needs the columns 类别 (category) and 金额 (amount)."),
                code=error_codes.BAD_FILE,
                field="file",
            )
        found = []
        for number, row in enumerate(rows, start=2):
            if not any(cell not in (None, "") for cell in row):
                continue
            if len(found) >= MAX_LINES:
                raise ValidationFailed(
                    _("At most %(n)d spending lines.") % {"n": MAX_LINES},
                    code=error_codes.BAD_FILE,
                    field="file",
                )
            found.append(
                (number, {k: c for k, c in zip(columns, row, strict=False) if k is not None})
            )
        return found
    finally:
        workbook.close()


def spending_import(
    *, actor, publication: FeePublication, upload, dry_run: bool = True
) -> SpendingImportResult:
    """Check an Excel file of spending (类别, 金额, 说明) and, unless it is a dry run or a row is
    bad, add every row in one transaction. The check names each bad row and column."""
    require(actor, Perm.PUBLICATION_PREPARE, publication.community_id)
    _require_draft(publication)
    result = SpendingImportResult()
    cleaned = []
    for number, values in _read(upload):
        result.rows += 1
        amount = values.get("amount")
        if isinstance(amount, (int, float)) and not isinstance(amount, bool):
            amount = repr(amount)  # a number cell; the money parser refuses a third decimal
        try:
            line = _clean_line(values.get("category"), amount, values.get("note"))
        except AppError as exc:
            result.errors.append({"row": number, "field": exc.field, "message": str(exc.message)})
            continue
        cleaned.append(line)
        result.preview.append(
            {
                "row": number,
                "category": line["category"],
                "amount": format_yuan(from_fen(line["amount_fen"])),
                "note": line["note"],
            }
        )
    result.good = len(cleaned)
    if not result.rows:
        raise ValidationFailed(
            _("The file holds no spending line."), code=error_codes.BAD_FILE, field="file"
        )
    if dry_run or result.errors:
        return result
    with transaction.atomic():
        locked = _locked(publication)
        _require_draft(locked)
        _room(locked, len(cleaned))
        PublicationLine.objects.bulk_create(
            PublicationLine(
                community_id=locked.community_id,
                publication=locked,
                kind=LineKind.SPENDING,
                **line,
            )
            for line in cleaned
        )
        _totals(locked)
        record_change(
            actor=actor,
            instance=locked,
            action="publication_spending_imported",
            changes={"lines": [None, len(cleaned)]},
        )
    result.written = True
    return result


@transaction.atomic
def publication_submit(*, actor, publication: FeePublication) -> FeePublication:
    """Hand the prepared figures to a second person for review."""
    require(actor, Perm.PUBLICATION_PREPARE, publication.community_id)
    publication = _locked(publication)
    _require_draft(publication)
    publication.status = PublicationStatus.SUBMITTED
    publication.submitted_at = timezone.now()
    publication.save(update_fields=["status", "submitted_at"])
    record_change(
        actor=actor,
        instance=publication,
        action="publication_submitted",
        changes={"status": [PublicationStatus.DRAFT, PublicationStatus.SUBMITTED]},
    )
    return publication


@transaction.atomic
def publication_review(
    *, actor, publication: FeePublication, approve: bool, note: str = ""
) -> FeePublication:
    """A second person publishes the figures, or sends them back with a note. The one who
    prepared them never reviews them (four eyes)."""
    require(actor, Perm.PUBLICATION_REVIEW, publication.community_id)
    publication = _locked(publication)
    if publication.status != PublicationStatus.SUBMITTED:
        raise Conflict(
            _("This publication is not waiting for review."),
            code=error_codes.PUBLICATION_NOT_SUBMITTED,
            field="publication",
        )
    if publication.prepared_by_id == actor.pk:
        raise PermissionDenied(
            _("A second person reviews the figures: not the one who prepared them."),
            code=error_codes.FOUR_EYES,
        )
    note = clean_text("note", note, max_length=300, required=not approve)
    now = timezone.now()
    publication.reviewed_by = actor
    publication.reviewed_at = now
    publication.review_note = note
    if not approve:
        publication.status = PublicationStatus.DRAFT
        publication.save(update_fields=["reviewed_by", "reviewed_at", "review_note", "status"])
        record_change(
            actor=actor,
            instance=publication,
            action="publication_returned",
            changes={"status": [PublicationStatus.SUBMITTED, PublicationStatus.DRAFT]},
            note=note,
        )
        return publication
    publication.status = PublicationStatus.PUBLISHED
    publication.published_at = now
    publication.announcement_id = _announce(actor, publication).pk
    publication.save(
        update_fields=[
            "reviewed_by",
            "reviewed_at",
            "review_note",
            "status",
            "published_at",
            "announcement_id",
        ]
    )
    if publication.supersedes_id:
        FeePublication.objects.filter(pk=publication.supersedes_id).update(
            status=PublicationStatus.SUPERSEDED
        )
    record_change(
        actor=actor,
        instance=publication,
        action="publication_published",
        changes={"status": [PublicationStatus.SUBMITTED, PublicationStatus.PUBLISHED]},
    )
    return publication


def _announce(actor, publication: FeePublication):
    """The notice to the community's owners, pointing them to the figures on the portal."""
    from propdesk.notices.services.announcements import announcement_create, announcement_publish

    lines = [
        _("Income: %(amount)s") % {"amount": format_yuan(publication.income)},
        _("Spending: %(amount)s") % {"amount": format_yuan(publication.spending)},
        _("Balance: %(amount)s") % {"amount": format_yuan(publication.balance)},
        _("The figures by category are on the owner pages, under Fee transparency."),
    ]
    if publication.supersedes_id:
        lines.insert(
            0,
            _("This corrects the version published before: %(reason)s")
            % {"reason": publication.correction_reason},
        )
    title = publication.title
    if publication.version > 1:
        title = _("%(title)s (correction %(n)d)") % {"title": title, "n": publication.version - 1}
    announcement = announcement_create(
        actor=actor, community=publication.community, title=title[:100], body="\n".join(lines)
    )
    return announcement_publish(actor=actor, announcement=announcement)
