"""`propdesk triage INPUT.csv OUTPUT.csv`: suggest a category, kind, urgency and department for
every message of a spreadsheet.

Reads the columns `id,text` (UTF-8, with or without a byte-order mark; other columns are
ignored) and writes `id,category,kind,urgency,department,category_confidence`, one row per input
row, in order. A row that cannot be read (bytes that are not UTF-8, a text that is missing, too
short, too long or holds control characters) gets an error line on stderr and an empty
suggestion; the command never stops half-way because of one row.
"""

import csv
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from propdesk.assistant import services
from propdesk.core.errors import ValidationFailed

OUTPUT_COLUMNS = ["id", "category", "kind", "urgency", "department", "category_confidence"]
BATCH = 256


class Progress:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, stream, total: int):
        self.stream = stream
        self.total = max(total, 1)
        self.drawn_at = 0.0
        self.started = time.monotonic()

    def update(self, done: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.drawn_at < 0.1:
            return
        self.drawn_at = now
        share = done / self.total
        bar = "#" * int(share * 30)
        rate = done / max(now - self.started, 1e-6)
        self.stream.write(f"\r[{bar:<30}] {done}/{self.total} {share:6.1%} {rate:,.0f}/s")
        self.stream.flush()

    def finish(self, done: int) -> None:
        self.update(done, force=True)
        self.stream.write("\n")
        self.stream.flush()


def _has_undecodable(value: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in value)


class Command(BaseCommand):
    help = "Suggest category, kind, urgency and department for each row (id,text) of a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("input", help="CSV file with columns id,text (UTF-8)")
        parser.add_argument("output", help="CSV file to write the suggestions to")
        parser.add_argument(
            "--community",
            type=int,
            default=None,
            help="Route to this community's departments (default: the company's defaults)",
        )

    def handle(self, *args, input, output, community, **options):
        from propdesk.estates.models import Community

        if community is not None and not Community.objects.filter(pk=community).exists():
            raise CommandError(_("There is no community with id %(id)s.") % {"id": community})
        try:
            handle = open(input, encoding="utf-8-sig", errors="surrogateescape", newline="")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": input, "error": exc}
            ) from exc
        with handle:
            reader = csv.reader(handle)
            try:
                header = next(reader)
            except StopIteration:
                raise CommandError(_("%(path)s is empty.") % {"path": input}) from None
            except csv.Error as exc:
                raise CommandError(str(exc)) from exc
            names = [h.strip().lower() for h in header]
            if "id" not in names or "text" not in names:
                raise CommandError(_("The first row must name the columns id and text."))
            id_at, text_at = names.index("id"), names.index("text")
            rows = []
            line = 1
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    line += 1
                    rows.append((line, "", None, str(exc)))
                    continue
                line = reader.line_num
                rows.append((line, row[id_at] if len(row) > id_at else "", row, None))
        try:
            out = open(output, "w", encoding="utf-8", newline="")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": output, "error": exc}
            ) from exc
        stderr = sys.stderr
        progress = Progress(stderr, len(rows))
        errors = 0
        with out:
            writer = csv.writer(out)
            writer.writerow(OUTPUT_COLUMNS)
            for start in range(0, len(rows), BATCH):
                batch = rows[start : start + BATCH]
                cleaned: list[tuple[int, str]] = []
                results: dict[int, list] = {}
                for i, (line, row_id, row, problem) in enumerate(batch):
                    if _has_undecodable(row_id):
                        raw = row_id.encode("utf-8", "surrogateescape")
                        row_id = raw.decode("utf-8", "replace")
                    results[i] = [row_id, "", "", "", "", ""]
                    if problem is None:
                        text = row[text_at] if len(row) > text_at else None
                        if text is not None and _has_undecodable(text):
                            problem = _("the text is not UTF-8")
                        else:
                            try:
                                cleaned.append((i, services.clean_message(text)))
                            except ValidationFailed as exc:
                                problem = str(exc.message)
                    if problem is not None:
                        errors += 1
                        stderr.write(
                            "\r"
                            + _("line %(line)d (id %(id)s): %(problem)s")
                            % {"line": line, "id": row_id or "-", "problem": problem}
                            + "\n"
                        )
                if cleaned:
                    suggestions = services.suggest_many(
                        [text for _i, text in cleaned], community_id=community
                    )
                    for (i, _text), s in zip(cleaned, suggestions, strict=True):
                        results[i][1:] = [
                            s.category,
                            s.kind,
                            s.urgency,
                            s.department,
                            f"{s.confidence['category']:.3f}",
                        ]
                for i in range(len(batch)):
                    writer.writerow(results[i])
                progress.update(start + len(batch))
        progress.finish(len(rows))
        self.stdout.write(
            _("%(rows)d rows written to %(path)s, %(errors)d without a suggestion.")
            % {"rows": len(rows), "path": output, "errors": errors}
        )
