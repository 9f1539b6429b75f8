"""Request and response schemas of the quality API (`<Entity>In`, `<Entity>Out`).

Phone numbers leave masked (core.masking), as everywhere in the API; the console's reveal writes
the access log. Text is checked at the edge; the services check the business rules.
"""

import datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import Strict

from propdesk.api.schemas import (
    MAX_ID,
    Date,
    Id,
    Line,
    Name,
    PageOut,
    Paging,
    Text,
    choices_of,
)
from propdesk.quality.models import AssessmentDimension, ExamQuestionKind, ExamTopic, TrainingKind
from propdesk.quality.models.calls import CallDirection, CallOutcome, CallState
from propdesk.quality.models.reviews import ReviewState

OptionalId = Annotated[Annotated[int, Strict()] | None, Field(None, ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, Field(None, ge=1, le=MAX_ID)]
Phone = Annotated[str, Field(min_length=1, max_length=30, pattern=r"^[0-9+ ()-]+$")]
DirectionValue = choices_of(CallDirection)
StateValue = choices_of(CallState, "")
# A call's outcome once recorded: the model's choices without the blank of a call still going on.
OutcomeValue = Literal[tuple(value for value in CallOutcome.values if value)]


class CallOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    direction: str
    source: str
    pbx_call_id: str
    line: str
    number: str = Field(..., alias="party_masked", description="The outside party, masked")
    owner: int | None = Field(None, alias="owner_id")
    house: int | None = Field(None, alias="house_id")
    agent: int | None = Field(None, alias="agent_id")
    ring_at: datetime.datetime
    answered_at: datetime.datetime | None
    ended_at: datetime.datetime | None
    state: str
    wait_seconds: int | None
    talk_seconds: int | None
    rings: int | None
    outcome: str
    request: int | None = Field(None, alias="request_id")
    note: str
    recording_url: str
    callback_of: int | None = Field(None, alias="callback_of_id")
    callback_attempts: int
    called_back_at: datetime.datetime | None
    awaits_callback: bool


class CallPage(PageOut):
    items: list[CallOut]


class CallFilters(Paging):
    community: QueryId = None
    q: str = Field("", max_length=20, pattern=r"^[0-9]*$", description="Digits of the number")
    state: StateValue = ""
    direction: choices_of(CallDirection, "") = ""
    # "none": calls with no outcome recorded yet.
    outcome: choices_of(CallOutcome, "none") = ""
    agent: QueryId = None
    date_from: Date | None = None
    date_to: Date | None = None


class QueueFilters(Paging):
    community: QueryId = None
    q: str = Field("", max_length=20, pattern=r"^[0-9]*$")


class QualityCallIn(Schema):
    community: Id
    number: Phone
    direction: DirectionValue = "inbound"


class CallFinishIn(Schema):
    outcome: OutcomeValue
    note: Text(2000) = ""
    request: OptionalId = None


class CallPatch(Schema):
    note: Text(2000) | None = None
    recording_url: Line(500) | None = None


class FiguresFilters(Schema):
    date_from: Date
    date_to: Date
    period: Literal["day", "week", "month"] = "day"
    group: Literal["total", "community", "agent"] = "total"
    community: QueryId = None


class FiguresOut(Schema):
    period: datetime.date
    community: int | None = Field(None, alias="community_id")
    community_name: str
    agent: int | None = Field(None, alias="agent_id")
    agent_name: str
    calls: int
    answered: int
    answer_rate: Decimal | None
    target: Decimal | None
    within_target: int
    within_target_rate: Decimal | None
    before_ring_limit: int
    before_ring_limit_rate: Decimal | None
    abandoned: int
    missed: int
    mean_wait_seconds: Decimal | None
    callbacks_promised: int
    callbacks_kept: int
    called_back: int
    outbound: int


class RowErrorOut(Schema):
    row: int
    field: str
    message: str


class ImportOut(Schema):
    rows: int
    new: int
    duplicates: int
    error_count: int
    errors: list[RowErrorOut]
    written: bool


class ImportIn(Schema):
    dry_run: bool = True


# --- surveys ------------------------------------------------------------------------------------


class RoundOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    questionnaire: int = Field(..., alias="questionnaire_id")
    period: datetime.date
    opens_on: datetime.date
    closes_on: datetime.date
    sample_size: int | None
    state: str
    targets_count: int


class RoundPage(PageOut):
    items: list[RoundOut]


class RoundFilters(Paging):
    community: QueryId = None


class RoundIn(Schema):
    community: Id
    period: Date | None = None
    sample_size: Annotated[int, Strict(), Field(ge=1, le=1_000_000)] | None = None
    closes_on: Date | None = None


class FiguresRowOut(Schema):
    key: str
    label: str
    asked: int
    responses: int
    scale_answers: int
    satisfied: int
    response_rate: Decimal | None
    satisfaction: Decimal | None


class CommentOut(Schema):
    house: str = Field(..., alias="house__code")
    comment: str
    answered_at: datetime.datetime
    lowest_score: int | None


class ResultsOut(Schema):
    overall: FiguresRowOut
    by_dimension: list[FiguresRowOut]
    by_department: list[FiguresRowOut]
    by_agent: list[FiguresRowOut]
    history: list[FiguresRowOut]
    comments: list[CommentOut]
    target: Decimal


ScoreOrChoice = Annotated[int, Strict()] | Text(1000) | list[Line(100)]


class AnswerIn(Schema):
    house: Id
    channel: Literal["phone", "visit"]
    respondent_name: Line(100) = ""
    answers: dict[Annotated[str, Field(max_length=12, pattern=r"^q?[0-9]+$")], ScoreOrChoice] = (
        Field(..., description='{"q<question id>": 1–5, an option, a list of options or text}')
    )


class ResponseOut(Schema):
    id: int
    round: int = Field(..., alias="round_id")
    community: int = Field(..., alias="community_id")
    house: int = Field(..., alias="house_id")
    channel: str
    answered_at: datetime.datetime
    scale_count: int
    satisfied_count: int
    lowest_score: int | None
    comment: str
    follow_up: str
    follow_up_request: int | None = Field(None, alias="follow_up_request_id")
    follow_up_assignee: int | None = Field(None, alias="follow_up_assignee_id")
    follow_up_note: str
    follow_up_done_at: datetime.datetime | None


class ResponsePage(PageOut):
    items: list[ResponseOut]


class LowAnswerFilters(Paging):
    community: QueryId = None
    state: Literal["pending", "tasks", "decided"] = "pending"


class QualityFollowUpIn(Schema):
    choice: Literal["task", "complaint", "none"]
    note: Text(1000, required=True)
    assignee: OptionalId = None


# --- quality reviews ----------------------------------------------------------------------------


class MarkOut(Schema):
    item: int = Field(..., alias="item_id")
    deducted: int
    note: str


class ReviewOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    agent: int = Field(..., alias="agent_id")
    reviewer: int = Field(..., alias="reviewer_id")
    subject: str
    call: int | None = Field(None, alias="call_id")
    request: int | None = Field(None, alias="request_id")
    visit_note: str
    version: int
    supersedes: int | None = Field(None, alias="supersedes_id")
    points_possible: int
    points_deducted: int
    score: Decimal
    note: str
    state: str
    created_at: datetime.datetime
    appeal_reason: str
    decision_note: str


class ReviewDetailOut(ReviewOut):
    marks: list[MarkOut]

    @staticmethod
    def resolve_marks(obj):
        return list(obj.marks.all())


class ReviewPage(PageOut):
    items: list[ReviewOut]


class ReviewFilters(Paging):
    community: QueryId = None
    agent: QueryId = None
    state: choices_of(ReviewState, "") = ""


PointsAndNote = tuple[Annotated[int, Strict(), Field(ge=0, le=100)], Line(300)]


class ReviewIn(Schema):
    agent: Id
    call: OptionalId = None
    request: OptionalId = None
    visit_community: OptionalId = None
    visit_note: Line(200) = ""
    marks: dict[Annotated[str, Field(max_length=20, pattern=r"^[0-9]+$")], PointsAndNote] = Field(
        ..., description='{"<item id>": [points deducted, "why"]}; items left out deduct nothing'
    )
    note: Text(1000) = ""
    supersedes: OptionalId = None


class AppealIn(Schema):
    reason: Text(1000, required=True)


class DecideIn(Schema):
    granted: bool
    note: Text(1000, required=True)


# --- training and exams ---------------------------------------------------------------------

TopicValue = choices_of(ExamTopic)
QuestionKindValue = choices_of(ExamQuestionKind)
ChoiceIndex = Annotated[int, Strict(), Field(ge=0, le=9)]


class ExamOut(Schema):
    id: int
    community: int | None = Field(None, alias="community_id")
    title: str
    topic_counts: dict[str, int]
    question_count: int
    duration_minutes: int
    pass_percent: int
    max_attempts: int
    is_active: bool


class ExamPage(PageOut):
    items: list[ExamOut]


class ExamIn(Schema):
    community: OptionalId = Field(None, description="Empty: the company's exam")
    title: Line(100, required=True)
    topic_counts: dict[TopicValue, Annotated[int, Strict(), Field(ge=0, le=50)]]
    duration_minutes: Annotated[int, Strict(), Field(ge=1, le=240)] = 30
    pass_percent: Annotated[int, Strict(), Field(ge=1, le=100)] = 80
    max_attempts: Annotated[int, Strict(), Field(ge=1, le=20)] = 3
    is_active: bool = True


class ExamQuestionOut(Schema):
    """A question as the person taking the exam sees it: no right answer, no explanation."""

    id: int
    topic: str
    kind: str
    text: str
    choices: list[str]

    @staticmethod
    def resolve_choices(obj) -> list[str]:
        return obj.choice_labels() if hasattr(obj, "choice_labels") else obj["choices"]


class ExamQuestionFullOut(ExamQuestionOut):
    community: int | None = Field(None, alias="community_id")
    answer: list[int]
    explanation: str
    source: str
    is_active: bool


class ExamQuestionPage(PageOut):
    items: list[ExamQuestionFullOut]


class ExamQuestionFilters(Paging):
    topic: TopicValue | Literal[""] = ""
    q: Line(50) = ""


class ExamQuestionIn(Schema):
    community: OptionalId = Field(None, description="Empty: the company's bank")
    topic: TopicValue
    kind: QuestionKindValue
    text: Text(500, required=True)
    options: list[Line(200)] = Field(default_factory=list, max_length=6)
    answer: list[ChoiceIndex] = Field(..., max_length=6)
    explanation: Text(500) = ""
    source: Line(60) = ""


class AttemptAnswerOut(Schema):
    order: int
    question: ExamQuestionOut
    chosen: list[int]
    saved_at: datetime.datetime | None
    correct: bool | None = Field(None, description="Shown once the attempt is finished")
    right_answer: list[int] | None = Field(None, description="Shown once it is finished")
    explanation: str | None = Field(None, description="Shown once it is finished")


class AttemptOut(Schema):
    id: int
    exam: int = Field(..., alias="exam_id")
    taker: int = Field(..., alias="taker_id")
    number: int
    state: str
    started_at: datetime.datetime
    deadline_at: datetime.datetime
    finished_at: datetime.datetime | None
    question_count: int
    correct_count: int
    score: Decimal | None
    passed: bool | None


class AttemptDetailOut(AttemptOut):
    answers: list[AttemptAnswerOut]


class AttemptAnswerIn(Schema):
    question: Id
    chosen: list[ChoiceIndex] = Field(..., max_length=6)


class ExamResultFilters(Schema):
    community: QueryId = None
    exam: QueryId = None
    date_from: Date | None = None
    date_to: Date | None = None


class PersonResultOut(Schema):
    person: int = Field(..., alias="person_id")
    name: str
    department: str
    attempts: int
    best: Decimal | None
    passed: bool


class DepartmentResultOut(Schema):
    department: str
    people: int
    passed: int
    pass_rate: Decimal | None
    mean_best: Decimal | None


class ExamResultsOut(Schema):
    people: list[PersonResultOut]
    departments: list[DepartmentResultOut]


class TrainingOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    kind: str
    title: str
    held_on: datetime.date
    hours: Decimal
    trainer: str
    attendees: list[int]

    @staticmethod
    def resolve_attendees(obj) -> list[int]:
        return sorted(row.person_id for row in obj.attendance.all())


class TrainingPage(PageOut):
    items: list[TrainingOut]


class TrainingFilters(Paging):
    community: QueryId = None


class TrainingIn(Schema):
    community: Id
    kind: choices_of(TrainingKind)
    title: Line(100, required=True)
    held_on: Date
    hours: Annotated[Decimal, Field(ge=Decimal("0.5"), le=24, max_digits=4, decimal_places=1)] = (
        Decimal(1)
    )
    trainer: Name(50, required=False) = ""
    note: Text(2000) = ""
    attendees: list[Id] = Field(..., min_length=1, max_length=200)


# --- six-dimension assessment ---------------------------------------------------------------


class ScorecardOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    agent: int = Field(..., alias="agent_id")
    period: datetime.date
    month_state: str
    attitude: Decimal | None
    knowledge: Decimal | None
    communication: Decimal | None
    problem_solving: Decimal | None
    efficiency: Decimal | None
    satisfaction: Decimal | None
    entry_error_percent: Decimal | None
    total: Decimal | None
    evidence: dict
    adjusted: dict

    @staticmethod
    def resolve_period(obj) -> datetime.date:
        return obj.month.period

    @staticmethod
    def resolve_month_state(obj) -> str:
        return obj.month.state


class ScorecardPage(PageOut):
    items: list[ScorecardOut]


class ScorecardFilters(Paging):
    community: QueryId = None
    period: Date | None = None


class AssessmentComputeIn(Schema):
    community: Id
    period: Date


class AssessmentMonthOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    period: datetime.date
    state: str
    computed_at: datetime.datetime | None
    closed_at: datetime.datetime | None


class ScoreAdjustIn(Schema):
    dimension: choices_of(AssessmentDimension)
    score: Annotated[Decimal, Field(ge=0, le=100, max_digits=4, decimal_places=1)]
    reason: Line(300, required=True)


Weight = Annotated[int, Strict(), Field(ge=0, le=100)]


class RulesIn(Schema):
    """The company's rules (no community) or a community's own; the six weights add up to 100."""

    community: Id | None = None
    weight_attitude: Weight
    weight_knowledge: Weight
    weight_communication: Weight
    weight_problem_solving: Weight
    weight_efficiency: Weight
    weight_satisfaction: Weight
    late_feedback_points: Weight
    overdue_points: Weight
    entry_error_target_percent: Annotated[
        Decimal, Field(ge=0, le=20, max_digits=3, decimal_places=1)
    ]
    entry_error_points: Weight


class AssessmentRulesOut(Schema):
    id: int | None
    community: int | None = Field(None, alias="community_id")
    own: bool
    weight_attitude: int
    weight_knowledge: int
    weight_communication: int
    weight_problem_solving: int
    weight_efficiency: int
    weight_satisfaction: int
    late_feedback_points: int
    overdue_points: int
    entry_error_target_percent: Decimal
    entry_error_points: int
