"""The training and exam pages: who sees which, taking an exam in the console, and the forms and
the Excel import with bad input (a clear error, nothing written)."""

import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from propdesk.quality.models import AttemptState, Exam, ExamAttempt, ExamQuestion, TrainingSession
from propdesk.quality.services import exams
from propdesk.quality.tests.conftest import quality_snapshot

pytestmark = pytest.mark.django_db

STAFF = {"agent", "supervisor", "technician", "cashier", "guard", "admin", "other_agent"}
SUPERVISION = {"supervisor", "admin"}
ROLES = ["agent", "supervisor", "technician", "cashier", "guard", "admin", "owner", "other_agent"]


def as_role(personas, role) -> Client:
    client = Client()
    client.force_login(personas[role])
    return client


@pytest.fixture
def world(supervisor, agent, community_a):
    exam = exams.exam_create(
        actor=supervisor,
        community=community_a,
        title="岗位规范小测",
        topic_counts={"duties": 2, "process": 1},
        duration_minutes=10,
        pass_percent=60,
    )
    attempt = exams.attempt_start(actor=agent, exam=exam)
    return SimpleNamespace(exam=exam, attempt=attempt, community=community_a)


PAGES = {
    "quality_exams": (lambda w: reverse("quality_exams"), STAFF, 200),
    "quality_training": (lambda w: reverse("quality_training"), STAFF, 200),
    "quality_exam_new": (lambda w: reverse("quality_exam_new"), SUPERVISION, 403),
    "quality_questions": (lambda w: reverse("quality_questions"), SUPERVISION, 403),
    "quality_question_new": (lambda w: reverse("quality_question_new"), SUPERVISION, 403),
    "quality_question_import": (lambda w: reverse("quality_question_import"), SUPERVISION, 403),
    "quality_exam_results": (lambda w: reverse("quality_exam_results"), SUPERVISION, 403),
    "quality_training_new": (lambda w: reverse("quality_training_new"), SUPERVISION, 403),
    "quality_attempt": (
        lambda w: reverse("quality_attempt", args=[w.attempt.id]),
        {"agent", "supervisor", "admin"},
        404,
    ),
}
CASES = [(name, role) for name in PAGES for role in ROLES]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_page_for_role(personas, world, name, role):
    url, allowed, other = PAGES[name]
    response = as_role(personas, role).get(url(world))
    if role == "owner":
        assert response.status_code in (302, 403)
        return
    if role == "other_agent":
        assert response.status_code == (200 if role in allowed and other == 200 else other)
        return
    if name == "quality_attempt" and role in {"technician", "cashier", "guard"}:
        assert response.status_code == 404
        return
    assert response.status_code == (200 if role in allowed else 403), (name, role)


def test_an_agent_takes_the_exam_in_the_console_and_sees_the_grade(personas, world):
    client = as_role(personas, "agent")
    page = client.get(reverse("quality_attempt", args=[world.attempt.id]))
    assert "每个答案选择后即保存" in page.content.decode() or "保存" in page.content.decode()
    for answer in world.attempt.answers.select_related("question"):
        response = client.post(
            reverse("quality_attempt_answer", args=[world.attempt.id]),
            {"question": answer.question_id, "chosen": answer.question.answer},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        assert "已保存" in response.content.decode()
    response = client.post(reverse("quality_attempt_submit", args=[world.attempt.id]))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "100.0" in page and "通过" in page
    assert "Passed" not in page and "submitted" not in page
    world.attempt.refresh_from_db()
    assert (world.attempt.state, world.attempt.passed) == (AttemptState.SUBMITTED, True)


def test_the_exam_list_starts_an_attempt(personas, world, community_a, supervisor):
    other = exams.exam_create(
        actor=supervisor, community=community_a, title="应急处理", topic_counts={"emergency": 2}
    )
    client = as_role(personas, "technician")
    listing = client.get(reverse("quality_exams")).content.decode()
    assert "应急处理" in listing
    response = client.post(reverse("quality_exam_start", args=[other.id]))
    attempt = ExamAttempt.objects.get(exam=other)
    assert response["Location"] == reverse("quality_attempt", args=[attempt.id])


@pytest.mark.parametrize(
    "data",
    [
        {"question": "x", "chosen": "0"},
        {"question": "", "chosen": "0"},
        {"question": "1\x00", "chosen": "0"},
        {"question": "FIRST", "chosen": "<script>"},
        {"question": "FIRST", "chosen": "99"},
        {"question": "999999999999999999999", "chosen": "0"},
    ],
)
def test_bad_answers_on_the_page_change_nothing(personas, world, data):
    first = world.attempt.answers.order_by("order").first()
    if data["question"] == "FIRST":
        data = {**data, "question": first.question_id}
    before = quality_snapshot()
    response = as_role(personas, "agent").post(
        reverse("quality_attempt_answer", args=[world.attempt.id]), data, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert "text-danger" in response.content.decode()
    assert quality_snapshot() == before


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "", "duration_minutes": 30, "pass_percent": 80, "max_attempts": 3}, "title"),
        ({"title": "测", "duration_minutes": 0, "pass_percent": 80, "max_attempts": 3}, None),
        ({"title": "测", "duration_minutes": 30, "pass_percent": 80, "max_attempts": 3}, None),
        (
            {"title": "测\x00", "duration_minutes": 30, "pass_percent": 80, "max_attempts": 3},
            "title",
        ),
        (
            {
                "title": "测",
                "duration_minutes": 30,
                "pass_percent": "'; DROP TABLE quality_exam;--",
                "max_attempts": 3,
            },
            None,
        ),
    ],
)
def test_bad_exam_forms_are_refused(personas, world, data, field):
    before = Exam.objects.count()
    response = as_role(personas, "supervisor").post(
        reverse("quality_exam_new"), {**data, "community": world.community.id}
    )
    assert response.status_code == 400
    assert "is-invalid" in response.content.decode() or "alert-danger" in response.content.decode()
    assert Exam.objects.count() == before


def test_an_exam_is_set_in_the_console(personas, world):
    response = as_role(personas, "supervisor").post(
        reverse("quality_exam_new"),
        {
            "title": "应急处理考试",
            "community": world.community.id,
            "duration_minutes": 20,
            "pass_percent": 90,
            "max_attempts": 2,
            "topic_emergency": 3,
            "topic_system": 1,
        },
    )
    assert response.status_code == 302
    exam = Exam.objects.get(title="应急处理考试")
    assert (exam.topic_counts, exam.pass_percent, exam.community_id) == (
        {"emergency": 3, "system": 1},
        90,
        world.community.id,
    )


def test_another_communitys_community_is_refused_on_the_form(personas, world, community_b):
    response = as_role(personas, "supervisor").post(
        reverse("quality_exam_new"),
        {
            "title": "测",
            "community": community_b.id,
            "duration_minutes": 20,
            "pass_percent": 90,
            "max_attempts": 2,
            "topic_duties": 1,
        },
    )
    assert response.status_code == 400
    assert not Exam.objects.filter(community=community_b).exists()


def test_a_question_is_added_with_letters(personas, world):
    response = as_role(personas, "supervisor").post(
        reverse("quality_question_new"),
        {
            "community": world.community.id,
            "topic": "community",
            "kind": "multiple",
            "text": "本小区的应急集合点有：",
            "options": "北门广场\n南门停车场\n地下车库",
            "answer": "ab",
        },
    )
    assert response.status_code == 302
    question = ExamQuestion.objects.get(text="本小区的应急集合点有：")
    assert (question.answer, question.options[1]) == ([0, 1], "南门停车场")
    bad = as_role(personas, "supervisor").post(
        reverse("quality_question_new"),
        {
            "community": world.community.id,
            "topic": "community",
            "kind": "single",
            "text": "坏题",
            "options": "甲\n乙",
            "answer": "Z",
        },
    )
    assert bad.status_code == 400
    assert not ExamQuestion.objects.filter(text="坏题").exists()


def test_training_is_recorded_in_the_console(personas, world, agent):
    response = as_role(personas, "supervisor").post(
        reverse("quality_training_new"),
        {
            "community": world.community.id,
            "kind": "role_play",
            "title": "投诉接待角色扮演",
            "held_on": "2026-07-09",
            "hours": "2",
            "attendees": [agent.id],
        },
    )
    assert response.status_code == 302
    session = TrainingSession.objects.get()
    assert list(session.attendance.values_list("person_id", flat=True)) == [agent.id]
    listing = as_role(personas, "agent").get(reverse("quality_training")).content.decode()
    assert "投诉接待角色扮演" in listing and "角色扮演" in listing
    bad = as_role(personas, "supervisor").post(
        reverse("quality_training_new"),
        {
            "community": world.community.id,
            "kind": "role_play",
            "title": "未来的培训",
            "held_on": "2026-08-09",
            "hours": "2",
            "attendees": [agent.id],
        },
    )
    assert bad.status_code == 400
    assert TrainingSession.objects.count() == 1


def workbook(rows, header=("题型", "主题", "题目", "选项A", "选项B", "选项C", "答案", "解析")):
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(
        "题库.xlsx",
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


GOOD_ROWS = [
    ("单选", "岗位职责与规范", "接听电话应在几秒内？", "3秒", "10秒", "", "A", "3秒内接听"),
    ("判断", "应急", "电梯困人是紧急事件。", "", "", "", "对", ""),
    ("多选", "沟通", "礼貌用语有：", "您好", "谢谢", "走开", "AB", ""),
]


def test_the_excel_import_checks_then_writes(personas, world):
    client = as_role(personas, "supervisor")
    before = ExamQuestion.objects.count()
    check = client.post(
        reverse("quality_question_import"),
        {"file": workbook(GOOD_ROWS), "community": world.community.id, "dry_run": "on"},
    )
    assert check.status_code == 200
    assert "3 行，3 行无误" in check.content.decode() or "3" in check.content.decode()
    assert ExamQuestion.objects.count() == before
    done = client.post(
        reverse("quality_question_import"),
        {"file": workbook(GOOD_ROWS), "community": world.community.id},
    )
    assert done.status_code == 302
    assert ExamQuestion.objects.filter(community=world.community).count() == 3


def test_a_file_with_a_bad_row_imports_nothing_and_names_the_row(personas, world):
    rows = [*GOOD_ROWS, ("单选", "八卦", "<script>x</script>", "甲", "乙", "", "C", "")]
    before = quality_snapshot()
    response = as_role(personas, "supervisor").post(
        reverse("quality_question_import"),
        {"file": workbook(rows), "community": world.community.id},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<td>5</td>" in page and "主题" in page
    assert "&lt;script&gt;" not in page or "<script>x" not in page
    assert quality_snapshot() == before


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("题库.xlsx", b"kind,topic\nsingle,duties\n", content_type="text/csv"),
        SimpleUploadedFile("题库.csv", b"kind,topic\n", content_type="text/csv"),
        SimpleUploadedFile("题库.xlsx", b"", content_type="application/octet-stream"),
        SimpleUploadedFile("题库.xlsx", b"PK\x03\x04\x00\x00garbage", content_type="x/y"),
    ],
    ids=["csv-renamed", "csv", "empty", "broken-zip"],
)
def test_hostile_files_are_refused_naming_the_file(personas, world, upload):
    before = quality_snapshot()
    response = as_role(personas, "supervisor").post(
        reverse("quality_question_import"),
        {"file": upload, "community": world.community.id},
    )
    assert response.status_code == 400
    assert "is-invalid" in response.content.decode()
    assert quality_snapshot() == before


def test_a_header_without_the_required_columns_is_refused(personas, world):
    response = as_role(personas, "supervisor").post(
        reverse("quality_question_import"),
        {"file": workbook([("x",)], header=("名称",)), "community": world.community.id},
    )
    assert response.status_code == 400
