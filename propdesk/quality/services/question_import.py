"""Excel import of exam questions (题库导入), issue 16.

One question a row under a header row: 题型 (单选/多选/判断), 主题, 题目, 选项A…选项F,
答案 (letters, or 对/错), 解析, 出处. English headers work too (kind, topic, text,
option_a…option_f, answer, explanation, source). A check (dry run) reports every bad row with
its number and the field at fault; an import writes all the rows or, when any row is bad, none.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from propdesk.core import audit
from propdesk.core.errors import AppError, ValidationFailed
from propdesk.estates.excel.upload import check_upload
from propdesk.quality import error_codes
from propdesk.quality.models import ExamQuestion, ExamQuestionKind, ExamTopic
from propdesk.quality.services.exams import _require_bank, answer_letters, question_values

MAX_ROWS = 2000
LETTERS = "ABCDEF"
HEADERS = {
    "题型": "kind",
    "kind": "kind",
    "主题": "topic",
    "topic": "topic",
    "题目": "text",
    "text": "text",
    "答案": "answer",
    "answer": "answer",
    "解析": "explanation",
    "explanation": "explanation",
    "出处": "source",
    "source": "source",
    **{f"选项{letter}": f"option_{letter}" for letter in LETTERS},
    **{f"option_{letter.lower()}": f"option_{letter}" for letter in LETTERS},
}
REQUIRED = ("kind", "topic", "text", "answer")
KIND_NAMES = {"单选": "single", "单选题": "single", "多选": "multiple", "多选题": "multiple"}
KIND_NAMES |= {"判断": "true_false", "判断题": "true_false"}


def _column_label(name: str | None) -> str:
    labels = {
        "kind": _("Question type"),
        "topic": _("Topic"),
        "text": _("Question"),
        "options": _("Options"),
        "answer": _("Right answer"),
        "explanation": _("Explanation"),
        "source": _("Source"),
    }
    return str(labels.get(name or "", name or ""))


@dataclass
class QuestionImportResult:
    rows: int = 0
    good: int = 0
    written: bool = False
    errors: list[dict] = field(default_factory=list)


def _code(value: str, choices, names: dict[str, str]) -> str:
    """A topic or type given as its code, its Chinese label or a short Chinese name."""
    text = str(value or "").strip()
    labels = {str(label): code for code, label in choices.choices}
    return names.get(text) or labels.get(text) or text.lower()


def _topic_names() -> dict[str, str]:
    return {
        "岗位职责": "duties",
        "流程": "process",
        "沟通": "communication",
        "投诉": "communication",
        "法规": "regulations",
        "小区概况": "community",
        "常见问题": "problems",
        "应急": "emergency",
        "系统": "system",
    }


def _row_values(values: dict) -> dict:
    kind = _code(values.get("kind"), ExamQuestionKind, KIND_NAMES)
    options = [
        str(values.get(f"option_{letter}") or "").strip()
        for letter in LETTERS
        if str(values.get(f"option_{letter}") or "").strip()
    ]
    answer = answer_letters(str(values.get("answer") or ""))
    return question_values(
        topic=_code(values.get("topic"), ExamTopic, _topic_names()),
        kind=kind,
        text=values.get("text"),
        options=options,
        answer=answer,
        explanation=values.get("explanation") or "",
        source=values.get("source") or "",
    )


def _read(upload) -> list[tuple[int, dict]]:
    check_upload(upload)
    workbook = load_workbook(upload, read_only=True, data_only=False)
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True, max_col=20)
        header = next(rows, None) or ()
        columns = [
            HEADERS.get(str(name or "").strip().lower(), HEADERS.get(str(name or "").strip()))
            for name in header
        ]
        missing = [name for name in REQUIRED if name not in columns]
        if missing:
            raise ValidationFailed(
                _("The header row lacks the column(s): %(names)s.") % {"names": ", ".join(missing)},
                code=error_codes.BAD_FILE,
                field="file",
            )
        found = []
        for number, row in enumerate(rows, start=2):
            if not any(cell not in (None, "") for cell in row):
                continue
            if len(found) >= MAX_ROWS:
                raise ValidationFailed(
                    _("At most %(n)d rows per file.") % {"n": MAX_ROWS},
                    code=error_codes.BAD_FILE,
                    field="file",
                )
            values = {key: cell for key, cell in zip(columns, row, strict=False) if key is not None}
            found.append((number, values))
        return found
    finally:
        workbook.close()


def questions_import(
    *, actor, upload, community=None, dry_run: bool = True
) -> QuestionImportResult:
    """Check an Excel file of questions and, unless it is a dry run and every row is good,
    write them all in one transaction."""
    _require_bank(actor, community)
    result = QuestionImportResult()
    cleaned = []
    for number, values in _read(upload):
        result.rows += 1
        try:
            cleaned.append(_row_values(values))
        except AppError as exc:
            result.errors.append(
                {
                    "row": number,
                    "field": exc.field,
                    "column": _column_label(exc.field),
                    "message": str(exc.message),
                }
            )
    result.good = len(cleaned)
    if not result.rows:
        raise ValidationFailed(
            _("The file holds no question."), code=error_codes.BAD_FILE, field="file"
        )
    if dry_run or result.errors:
        return result
    with transaction.atomic():
        _require_bank(actor, community)
        created = ExamQuestion.objects.bulk_create(
            ExamQuestion(community=community, **values) for values in cleaned
        )
        for question in created:
            audit.record_change(actor=actor, instance=question, action="import")
    result.written = True
    return result
