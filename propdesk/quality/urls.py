"""Console pages of the quality app (/quality/…)."""

from django.urls import path

from propdesk.quality.views import assessment, calls, exams, figures, reviews, surveys

urlpatterns = [
    path("", figures.overview, name="quality_home"),
    path("dashboard/", figures.dashboard, name="quality_dashboard"),
    path("calls/", calls.call_list, name="quality_calls"),
    path("calls/new/", calls.call_new, name="quality_call_new"),
    path("calls/import/", calls.call_import, name="quality_call_import"),
    path("calls/figures/", figures.call_figures, name="quality_call_figures"),
    path("calls/<int:call_id>/", calls.call_detail, name="quality_call_detail"),
    path("calls/<int:call_id>/end/", calls.call_end, name="quality_call_end"),
    path("calls/<int:call_id>/note/", calls.call_note, name="quality_call_note"),
    path("calls/<int:call_id>/reveal/", calls.call_reveal, name="quality_call_reveal"),
    path("calls/<int:call_id>/callback/", calls.call_callback, name="quality_call_callback"),
    path("callbacks/", calls.callback_queue, name="quality_callbacks"),
    path("surveys/", surveys.round_list, name="quality_rounds"),
    path("surveys/<int:round_id>/", surveys.round_detail, name="quality_round_detail"),
    path("surveys/<int:round_id>/close/", surveys.round_close, name="quality_round_close"),
    path(
        "surveys/<int:round_id>/houses/<int:house_id>/",
        surveys.answer_enter,
        name="quality_answer_enter",
    ),
    path("surveys/low-answers/", surveys.low_answer_list, name="quality_low_answers"),
    path(
        "surveys/low-answers/<int:response_id>/",
        surveys.low_answer_detail,
        name="quality_low_answer",
    ),
    path(
        "surveys/low-answers/<int:response_id>/done/",
        surveys.low_answer_done,
        name="quality_low_answer_done",
    ),
    path("reviews/", reviews.review_list, name="quality_reviews"),
    path("reviews/new/", reviews.review_new, name="quality_review_new"),
    path("reviews/<int:review_id>/", reviews.review_detail, name="quality_review_detail"),
    path("reviews/<int:review_id>/answer/", reviews.review_answer, name="quality_review_answer"),
    path("reviews/<int:review_id>/decide/", reviews.review_decide, name="quality_review_decide"),
    path("exams/", exams.exam_list, name="quality_exams"),
    path("exams/new/", exams.exam_new, name="quality_exam_new"),
    path("exams/<int:exam_id>/start/", exams.exam_start, name="quality_exam_start"),
    path("exams/attempts/<int:attempt_id>/", exams.attempt_detail, name="quality_attempt"),
    path(
        "exams/attempts/<int:attempt_id>/answer/",
        exams.attempt_answer,
        name="quality_attempt_answer",
    ),
    path(
        "exams/attempts/<int:attempt_id>/submit/",
        exams.attempt_submit,
        name="quality_attempt_submit",
    ),
    path("exams/questions/", exams.question_list, name="quality_questions"),
    path("exams/questions/new/", exams.question_new, name="quality_question_new"),
    path("exams/questions/import/", exams.question_import_page, name="quality_question_import"),
    path("exams/results/", exams.exam_results, name="quality_exam_results"),
    path("training/", exams.training_list, name="quality_training"),
    path("training/new/", exams.training_new, name="quality_training_new"),
    path("assessment/", assessment.assessment_home, name="quality_assessment"),
    path("assessment/compute/", assessment.assessment_compute, name="quality_assessment_compute"),
    path(
        "assessment/months/<int:month_id>/close/",
        assessment.assessment_close,
        name="quality_assessment_close",
    ),
    path("assessment/rules/", assessment.rules_list, name="quality_rules"),
    path("assessment/rules/<str:scope>/", assessment.rules_edit, name="quality_rules_edit"),
    path(
        "assessment/rules/<str:scope>/remove/",
        assessment.rules_remove,
        name="quality_rules_remove",
    ),
    path("assessment/entry-checks/", assessment.entry_checks, name="quality_entry_checks"),
    path(
        "assessment/scorecards/<int:scorecard_id>/",
        assessment.scorecard_detail,
        name="quality_scorecard",
    ),
]
