"""Seed the company's question bank (92 questions written from seeds 000–004) and a default
exam drawing 20 of them, so a centre can test its staff on the first day."""

from django.db import migrations

DEFAULT_EXAM = {
    "title": "客服岗位知识考试",
    "topic_counts": {
        "duties": 4,
        "process": 4,
        "communication": 3,
        "regulations": 2,
        "community": 2,
        "problems": 2,
        "emergency": 2,
        "system": 1,
    },
    "duration_minutes": 30,
    "pass_percent": 80,
    "max_attempts": 3,
}


def _answer(kind: str, letters: str) -> list[int]:
    if kind == "true_false":
        return [0] if letters == "对" else [1]
    return sorted(ord(letter) - ord("A") for letter in letters)


def seed(apps, schema_editor):
    from propdesk.quality.question_bank import QUESTIONS

    ExamQuestion = apps.get_model("quality", "ExamQuestion")  # noqa: N806
    Exam = apps.get_model("quality", "Exam")  # noqa: N806
    if not ExamQuestion.objects.filter(community__isnull=True).exists():
        ExamQuestion.objects.bulk_create(
            ExamQuestion(
                topic=topic,
                kind=kind,
                text=text,
                options=options,
                answer=_answer(kind, letters),
                explanation=explanation,
                source=source,
            )
            for topic, kind, text, options, letters, explanation, source in QUESTIONS
        )
    if not Exam.objects.filter(community__isnull=True).exists():
        Exam.objects.create(**DEFAULT_EXAM)


class Migration(migrations.Migration):
    dependencies = [("quality", "0004_exams")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
