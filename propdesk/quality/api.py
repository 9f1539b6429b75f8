"""The quality API (/api/quality/…): thin endpoints, each an access helper → schema → one service
or selector, under the permission policy. Another community's call, request or community is a
404 naming the field; a role without the right is a 403."""

import datetime

from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from propdesk.api.lists import paged
from propdesk.api.schemas import READ_ERRORS, WRITE_ERRORS, Paging, PathId
from propdesk.core.errors import ValidationFailed, fetch_named, fetch_named_optional
from propdesk.core.permissions import Perm, require
from propdesk.estates.models import Community
from propdesk.estates.selectors import community_for_user, house_for_user
from propdesk.quality import error_codes, selectors
from propdesk.quality import schemas as s
from propdesk.quality.services import assessment, calls, cdr_import, exams, reviews, surveys

router = Router(tags=["service quality"])


def _community(user, community_id, perm: Perm) -> Community:
    """The community a body names, where `user` works and holds `perm`; 404 naming the field."""
    return fetch_named(community_for_user, user, community_id, field="community", perm=perm)


def _community_filter(user, community_id, perm: Perm) -> None:
    """A list needs `perm`; its community filter names one of the caller's communities (404
    otherwise)."""
    require(user, perm)
    fetch_named_optional(community_for_user, user, community_id, field="community", perm=perm)


def _request(user, request_id):
    from propdesk.tickets.selectors import request_for_user

    return fetch_named_optional(request_for_user, user, request_id, field="request")


# --- calls --------------------------------------------------------------------------------------


@router.get("/calls", response={200: s.CallPage, **READ_ERRORS}, summary="The call log")
@paged(Perm.CALL_VIEW, named_community=True)
def call_list(request, filters: Query[s.CallFilters]):
    outcome = None
    if filters.outcome:
        outcome = "" if filters.outcome == "none" else filters.outcome
    return selectors.call_log(
        request.auth,
        selectors.CallFilters(
            community=filters.community,
            q=filters.q,
            state=filters.state,
            direction=filters.direction,
            outcome=outcome,
            agent=filters.agent,
            date_from=filters.date_from,
            date_to=filters.date_to,
        ),
    )


@router.post(
    "/calls", response={201: s.CallOut, **WRITE_ERRORS}, summary="Pick up (or dial) a call"
)
def call_create(request, payload: s.QualityCallIn):
    user = request.auth
    community = _community(user, payload.community, Perm.CALL_TAKE)
    call = calls.call_start(
        actor=user, community=community, number=payload.number, direction=payload.direction
    )
    return Status(201, call)


@router.get(
    "/calls/callbacks",
    response={200: s.CallPage, **READ_ERRORS},
    summary="Unanswered calls waiting for a callback, oldest first",
)
@paged(Perm.CALL_VIEW, named_community=True)
def callback_list(request, filters: Query[s.QueueFilters]):
    return selectors.callback_queue(request.auth, community=filters.community, q=filters.q)


@router.get(
    "/calls/figures",
    response={200: list[s.FiguresOut], **READ_ERRORS},
    summary="Answer rate and the other call figures per day, week or month",
)
def call_figures(request, filters: Query[s.FiguresFilters]):
    user = request.auth
    _community_filter(user, filters.community, Perm.QUALITY_FIGURES)
    if filters.date_to < filters.date_from:
        raise ValidationFailed(
            _("The end comes before the start."),
            code=error_codes.BAD_PERIOD,
            field="date_to",
        )
    if filters.date_to - filters.date_from > datetime.timedelta(days=366):
        raise ValidationFailed(
            _("At most a year at a time."), code=error_codes.BAD_PERIOD, field="date_to"
        )
    return selectors.call_figures(
        user,
        date_from=filters.date_from,
        date_to=filters.date_to,
        period=filters.period,
        group=filters.group,
        community=filters.community,
    )


@router.post(
    "/calls/import",
    response={200: s.ImportOut, **WRITE_ERRORS},
    summary="Check (dry_run) or import a call-detail CSV file from the telephone system",
)
def call_import(request, payload: Form[s.ImportIn], file: File[UploadedFile]):
    return cdr_import.calls_import(actor=request.auth, upload=file, dry_run=payload.dry_run)


@router.get("/calls/{call_id}", response={200: s.CallOut, **READ_ERRORS}, summary="One call")
def call_detail(request, call_id: PathId):
    return selectors.call_for_user(request.auth, call_id)


@router.patch(
    "/calls/{call_id}",
    response={200: s.CallOut, **WRITE_ERRORS},
    summary="Add a note or the recording's link",
)
def call_update(request, call_id: PathId, payload: s.CallPatch):
    user = request.auth
    call = selectors.call_for_user(user, call_id, Perm.CALL_TAKE)
    return calls.call_annotate(actor=user, call=call, **payload.model_dump(exclude_unset=True))


@router.post(
    "/calls/{call_id}/finish",
    response={200: s.CallOut, **WRITE_ERRORS},
    summary="End a call with its outcome (and the request it led to)",
)
def call_finish(request, call_id: PathId, payload: s.CallFinishIn):
    user = request.auth
    call = selectors.call_for_user(user, call_id, Perm.CALL_TAKE)
    return calls.call_finish(
        actor=user,
        call=call,
        outcome=payload.outcome,
        note=payload.note,
        request=_request(user, payload.request),
    )


@router.post(
    "/calls/{call_id}/callback",
    response={201: s.CallOut, **WRITE_ERRORS},
    summary="Call back an unanswered call: opens the outbound call",
)
def call_callback(request, call_id: PathId):
    user = request.auth
    call = selectors.call_for_user(user, call_id, Perm.CALL_TAKE)
    return Status(201, calls.callback_start(actor=user, call=call))


# --- surveys ------------------------------------------------------------------------------------


@router.get("/surveys/rounds", response={200: s.RoundPage, **READ_ERRORS}, summary="Survey rounds")
@paged(Perm.SURVEY_VIEW, named_community=True)
def round_list(request, filters: Query[s.RoundFilters]):
    return selectors.round_list(request.auth, community=filters.community)


@router.post(
    "/surveys/rounds",
    response={201: s.RoundOut, **WRITE_ERRORS},
    summary="Open the monthly survey of a community (all houses, or a random sample)",
)
def round_create(request, payload: s.RoundIn):
    user = request.auth
    community = _community(user, payload.community, Perm.SURVEY_MANAGE)
    survey_round = surveys.survey_round_open(
        actor=user,
        community=community,
        period=payload.period,
        sample_size=payload.sample_size,
        closes_on=payload.closes_on,
    )
    return Status(201, survey_round)


@router.get(
    "/surveys/rounds/{round_id}/results",
    response={200: s.ResultsOut, **READ_ERRORS},
    summary="Response rate and satisfaction: in all, by dimension, department and agent, "
    "month over month, with the comments",
)
def round_results(request, round_id: PathId):
    user = request.auth
    return selectors.survey_results(user, selectors.round_for_user(user, round_id))


@router.post(
    "/surveys/rounds/{round_id}/answers",
    response={201: s.ResponseOut, **WRITE_ERRORS},
    summary="Enter a house's answer taken by phone or on a visit",
)
def round_answer(request, round_id: PathId, payload: s.AnswerIn):
    user = request.auth
    survey_round = selectors.round_for_user(user, round_id, Perm.SURVEY_ENTER)
    house = fetch_named(house_for_user, user, payload.house, field="house")
    response = surveys.survey_answer(
        actor=user,
        survey_round=survey_round,
        house=house,
        answers=payload.answers,
        channel=payload.channel,
        respondent_name=payload.respondent_name,
    )
    return Status(201, response)


@router.get(
    "/surveys/low-answers",
    response={200: s.ResponsePage, **READ_ERRORS},
    summary="Low answers waiting for a decision, open follow-up tasks, or decided ones",
)
@paged(Perm.SURVEY_VIEW, named_community=True)
def low_answer_list(request, filters: Query[s.LowAnswerFilters]):
    return selectors.low_answers(request.auth, community=filters.community, state=filters.state)


@router.post(
    "/surveys/answers/{response_id}/follow-up",
    response={200: s.ResponseOut, **WRITE_ERRORS},
    summary="Decide a low answer's follow-up: a task for a colleague, a complaint, or none",
)
def answer_follow_up(request, response_id: PathId, payload: s.QualityFollowUpIn):
    user = request.auth
    response = selectors.response_for_user(user, response_id, Perm.SURVEY_MANAGE)
    assignee = fetch_named_optional(
        selectors.colleague_for_user,
        user,
        payload.assignee,
        field="assignee",
        community_id=response.community_id,
    )
    return surveys.survey_follow_up_decide(
        actor=user, response=response, choice=payload.choice, note=payload.note, assignee=assignee
    )


# --- quality reviews ----------------------------------------------------------------------------


@router.get("/reviews", response={200: s.ReviewPage, **READ_ERRORS}, summary="Quality reviews")
@paged(Perm.REVIEW_VIEW, named_community=True)
def review_list(request, filters: Query[s.ReviewFilters]):
    return selectors.review_list(
        request.auth, community=filters.community, state=filters.state, agent=filters.agent
    )


@router.post(
    "/reviews",
    response={201: s.ReviewDetailOut, **WRITE_ERRORS},
    summary="Review an agent's call or request against the checklist (or correct a review)",
)
def review_create(request, payload: s.ReviewIn):
    user = request.auth
    require(user, Perm.REVIEW_WRITE)
    call = selectors.call_for_user(user, payload.call) if payload.call else None
    ticket = _request(user, payload.request)
    previous = selectors.review_for_user(user, payload.supersedes) if payload.supersedes else None
    agent = fetch_named(selectors.colleague_for_user, user, payload.agent, field="agent")
    community = None
    if payload.visit_community is not None:
        community = _community(user, payload.visit_community, Perm.REVIEW_WRITE)
    review = reviews.review_create(
        actor=user,
        agent=agent,
        marks={key: list(value) for key, value in payload.marks.items()},
        call=call,
        request=ticket,
        visit_note=payload.visit_note,
        community=community,
        note=payload.note,
        supersedes=previous,
    )
    return Status(201, review)


@router.get(
    "/reviews/{review_id}",
    response={200: s.ReviewDetailOut, **READ_ERRORS},
    summary="One review with its marks",
)
def review_detail(request, review_id: PathId):
    return selectors.review_for_user(request.auth, review_id)


@router.post(
    "/reviews/{review_id}/acknowledge",
    response={200: s.ReviewOut, **WRITE_ERRORS},
    summary="The agent acknowledges the review",
)
def review_acknowledge(request, review_id: PathId):
    user = request.auth
    return reviews.review_acknowledge(actor=user, review=selectors.review_for_user(user, review_id))


@router.post(
    "/reviews/{review_id}/appeal",
    response={200: s.ReviewOut, **WRITE_ERRORS},
    summary="The agent appeals once, with a reason",
)
def review_appeal(request, review_id: PathId, payload: s.AppealIn):
    user = request.auth
    review = selectors.review_for_user(user, review_id)
    return reviews.review_appeal(actor=user, review=review, reason=payload.reason)


@router.post(
    "/reviews/{review_id}/decide",
    response={200: s.ReviewOut, **WRITE_ERRORS},
    summary="Another supervisor decides the appeal",
)
def review_decide(request, review_id: PathId, payload: s.DecideIn):
    user = request.auth
    review = selectors.review_for_user(user, review_id)
    return reviews.review_decide(
        actor=user, review=review, granted=payload.granted, note=payload.note
    )


# --- training and exams -------------------------------------------------------------------------


def _bank_community(user, community_id):
    """A community named for the bank or an exam (None: the company's)."""
    if community_id is None:
        return None
    return _community(user, community_id, Perm.EXAM_MANAGE)


@router.get("/exams", response={200: s.ExamPage, **READ_ERRORS}, summary="Exams open to me")
@paged(None)
def exam_list(request, paging: Query[Paging]):
    return selectors.exams_visible_to(request.auth)


@router.post("/exams", response={201: s.ExamOut, **WRITE_ERRORS}, summary="Set an exam")
def exam_create(request, payload: s.ExamIn):
    user = request.auth
    require(user, Perm.EXAM_MANAGE)
    values = payload.model_dump(exclude={"community"})
    community = _bank_community(user, payload.community)
    return Status(201, exams.exam_create(actor=user, community=community, **values))


@router.get("/exams/{exam_id}", response={200: s.ExamOut, **READ_ERRORS}, summary="One exam")
def exam_detail(request, exam_id: PathId):
    return selectors.exam_for_user(request.auth, exam_id)


@router.post(
    "/exams/{exam_id}/attempts",
    response={201: s.AttemptDetailOut, **WRITE_ERRORS},
    summary="Start (or go back to) my attempt: the questions are drawn and the clock starts",
)
def attempt_start(request, exam_id: PathId):
    user = request.auth
    attempt = exams.attempt_start(actor=user, exam=selectors.exam_for_user(user, exam_id))
    return Status(201, selectors.attempt_view(attempt))


@router.get(
    "/attempts/{attempt_id}",
    response={200: s.AttemptDetailOut, **READ_ERRORS},
    summary="An attempt with its questions (answers and explanations once finished)",
)
def attempt_detail(request, attempt_id: PathId):
    return selectors.attempt_view(selectors.attempt_for_user(request.auth, attempt_id))


@router.put(
    "/attempts/{attempt_id}/answers",
    response={200: s.AttemptAnswerOut, **WRITE_ERRORS},
    summary="Save one answer (refused once the time is up)",
)
def attempt_answer(request, attempt_id: PathId, payload: s.AttemptAnswerIn):
    user = request.auth
    attempt = selectors.attempt_for_user(user, attempt_id)
    answer = exams.attempt_answer_save(
        actor=user, attempt=attempt, question_id=payload.question, chosen=payload.chosen
    )
    return {
        "order": answer.order,
        "question": answer.question,
        "chosen": answer.chosen,
        "saved_at": answer.saved_at,
    }


@router.post(
    "/attempts/{attempt_id}/submit",
    response={200: s.AttemptDetailOut, **WRITE_ERRORS},
    summary="Hand in: graded at once against the pass mark",
)
def attempt_submit(request, attempt_id: PathId):
    user = request.auth
    attempt = exams.attempt_submit(actor=user, attempt=selectors.attempt_for_user(user, attempt_id))
    return selectors.attempt_view(attempt)


@router.get(
    "/exam-results",
    response={200: s.ExamResultsOut, **READ_ERRORS},
    summary="Exam results per person and department",
)
def exam_results(request, filters: Query[s.ExamResultFilters]):
    user = request.auth
    _community_filter(user, filters.community, Perm.EXAM_MANAGE)
    people, departments = selectors.exam_results(
        user,
        community=filters.community,
        exam=filters.exam,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    return {"people": people, "departments": departments}


@router.get(
    "/questions", response={200: s.ExamQuestionPage, **READ_ERRORS}, summary="The question bank"
)
@paged(None)
def question_list(request, filters: Query[s.ExamQuestionFilters]):
    return selectors.questions_visible_to(request.auth, topic=filters.topic, q=filters.q)


@router.post(
    "/questions",
    response={201: s.ExamQuestionFullOut, **WRITE_ERRORS},
    summary="Add a question to the company's bank or a community's",
)
def question_create(request, payload: s.ExamQuestionIn):
    user = request.auth
    require(user, Perm.EXAM_MANAGE)
    community = _bank_community(user, payload.community)
    question = exams.question_create(
        actor=user, community=community, **payload.model_dump(exclude={"community"})
    )
    return Status(201, question)


@router.get("/training", response={200: s.TrainingPage, **READ_ERRORS}, summary="Training sessions")
@paged(Perm.EXAM_TAKE, named_community=True)
def training_list(request, filters: Query[s.TrainingFilters]):
    return selectors.training_sessions(request.auth, community=filters.community)


@router.post(
    "/training",
    response={201: s.TrainingOut, **WRITE_ERRORS},
    summary="Record a training session with who attended",
)
def training_create(request, payload: s.TrainingIn):
    user = request.auth
    community = _community(user, payload.community, Perm.EXAM_MANAGE)
    attendees = [
        fetch_named(
            selectors.colleague_for_user,
            user,
            person,
            field="attendees",
            community_id=community.pk,
        )
        for person in payload.attendees
    ]
    session = exams.training_record(
        actor=user,
        community=community,
        attendees=attendees,
        **payload.model_dump(exclude={"community", "attendees"}),
    )
    return Status(201, session)


# --- six-dimension assessment -------------------------------------------------------------------


@router.get(
    "/assessment/scorecards",
    response={200: s.ScorecardPage, **READ_ERRORS},
    summary="Scorecards: my own, or my communities' for a supervisor",
)
@paged(Perm.ASSESSMENT_VIEW, named_community=True)
def scorecard_list(request, filters: Query[s.ScorecardFilters]):
    return selectors.scorecard_list(
        request.auth, community=filters.community, period=filters.period
    )


@router.get(
    "/assessment/scorecards/{scorecard_id}",
    response={200: s.ScorecardOut, **READ_ERRORS},
    summary="One scorecard with the evidence of each score",
)
def scorecard_detail(request, scorecard_id: PathId):
    return selectors.scorecard_for_user(request.auth, scorecard_id)


@router.post(
    "/assessment/months",
    response={200: s.AssessmentMonthOut, **WRITE_ERRORS},
    summary="Compute (again) a community's month: every agent's six scores and total",
)
def assessment_compute(request, payload: s.AssessmentComputeIn):
    user = request.auth
    community = _community(user, payload.community, Perm.ASSESSMENT_MANAGE)
    return assessment.assessment_compute(actor=user, community=community, period=payload.period)


@router.post(
    "/assessment/months/{month_id}/close",
    response={200: s.AssessmentMonthOut, **WRITE_ERRORS},
    summary="Close the month: its scorecards become final",
)
def assessment_close(request, month_id: PathId):
    user = request.auth
    return assessment.assessment_close(actor=user, month=selectors.month_for_user(user, month_id))


@router.post(
    "/assessment/scorecards/{scorecard_id}/adjust",
    response={200: s.ScorecardOut, **WRITE_ERRORS},
    summary="A supervisor sets one dimension's score, with a reason",
)
def scorecard_adjust(request, scorecard_id: PathId, payload: s.ScoreAdjustIn):
    user = request.auth
    card = selectors.scorecard_for_user(user, scorecard_id)
    require(user, Perm.ASSESSMENT_MANAGE, card.community_id)
    return assessment.scorecard_adjust(
        actor=user,
        scorecard=card,
        dimension=payload.dimension,
        score=payload.score,
        reason=payload.reason,
    )


# --- assessment rules ----------------------------------------------------------------------------


def _rules_out(row, community_id, own: bool) -> dict:
    from propdesk.quality.services.rules import FIELDS

    return {
        "id": row.pk if own else None,
        "community_id": community_id,
        "own": own,
        **{name: getattr(row, name) for name in FIELDS},
    }


@router.get(
    "/assessment/rules",
    response={200: list[s.AssessmentRulesOut], **READ_ERRORS},
    summary="The company's assessment rules and each of my communities' (own or the company's)",
)
def rules_list(request):
    from propdesk.core.permissions import communities_for
    from propdesk.quality.models import AssessmentRules

    user = request.auth
    require(user, Perm.ASSESSMENT_MANAGE)
    rows = {row.community_id: row for row in AssessmentRules.objects.all()}
    company = rows.get(None) or AssessmentRules()
    out = [_rules_out(company, None, None in rows)]
    for community in communities_for(user, Perm.ASSESSMENT_MANAGE):
        row = rows.get(community.pk)
        out.append(_rules_out(row or company, community.pk, row is not None))
    return out


@router.put(
    "/assessment/rules",
    response={200: s.AssessmentRulesOut, **WRITE_ERRORS},
    summary="Set a community's assessment rules (no community: the company's, administrators)",
)
def rules_put(request, payload: s.RulesIn):
    from propdesk.quality.services import rules as rules_service

    user = request.auth
    require(user, Perm.ASSESSMENT_MANAGE)
    community = (
        _community(user, payload.community, Perm.ASSESSMENT_MANAGE)
        if payload.community is not None
        else None
    )
    values = payload.dict(exclude={"community"})
    row = rules_service.rules_save(actor=user, community=community, values=values)
    return _rules_out(row, row.community_id, True)
