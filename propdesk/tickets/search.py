"""Chinese full-text search over request descriptions (DOMAIN.md §2; PERF-NOTES.md).

Indexing: each description is segmented with jieba's search mode, which yields whole words and
the shorter words inside long ones (卫生间 → 卫生, 卫生间), and each distinct word of two or more
characters (or an ASCII word of two or more letters/digits) is stored once in `RequestToken`.

Searching: the query is segmented the same way; every word must occur (AND). The first page is
read from the token index in request order — `(community, token, request)` for staff of a few
communities, `(token, request)` for company-wide users — so a keyword matching 10 % of a million
requests costs an index range read of one page, not a scan of the descriptions.
"""

import re
import threading

import jieba
from django.db.models import OuterRef, QuerySet, Subquery

from propdesk.core import statements
from propdesk.core.rows import insert_rows
from propdesk.tickets.models import RequestToken

MAX_TOKEN_LENGTH = 24
MAX_QUERY_WORDS = 5
_WORD_RE = re.compile(r"^(?:[\u3400-\u9fff]{2,}|[0-9a-z][0-9a-z._-]+)$")
# Words too common in requests to narrow anything down.
_STOP_TEXT = (
    "我们 你们 他们 这个 那个 一个 没有 什么 现在 已经 还是 就是 一下 请问 麻烦 谢谢 您好 你好 "
    "物业 业主 问题 情况 处理 希望 可以 需要 时候 今天 昨天 一直 非常 但是 因为 所以 如果"
)
STOP_WORDS = frozenset(_STOP_TEXT.split())
_init_lock = threading.Lock()
_ready = False


def _ensure_jieba() -> None:
    global _ready
    if _ready:
        return
    with _init_lock:
        if not _ready:
            jieba.setLogLevel(60)
            jieba.initialize()
            _ready = True


def tokenize(text: str) -> list[str]:
    """The distinct searchable words of `text`, in first-seen order."""
    _ensure_jieba()
    seen: dict[str, None] = {}
    for raw in jieba.cut_for_search((text or "").lower()):
        word = raw.strip()
        if len(word) > MAX_TOKEN_LENGTH or word in STOP_WORDS or not _WORD_RE.match(word):
            continue
        seen.setdefault(word, None)
    return list(seen)


def query_words(query: str) -> list[str]:
    """The words a search must match: the query's own words, longest reading first."""
    _ensure_jieba()
    words: dict[str, None] = {}
    for raw in jieba.cut((query or "").lower()[:100]):
        word = raw.strip()
        if word and _WORD_RE.match(word) and word not in STOP_WORDS:
            words.setdefault(word[:MAX_TOKEN_LENGTH], None)
    return list(words)[:MAX_QUERY_WORDS]


def token_rows(
    *, community_id: int, request_id: int, text: str, words: list[str] | None = None
) -> list[RequestToken]:
    """The index rows of a request's description: its words (`tokenize(text)`, or `words` when
    already segmented)."""
    return [
        RequestToken(community_id=community_id, request_id=request_id, token=token)
        for token in (tokenize(text) if words is None else words)
    ]


def index_request(request, words: list[str] | None = None) -> int:
    """Store the search words of a new request's description (`words`, when the caller has
    already segmented it: intake does so before its transaction), in one statement built once
    (core.rows)."""
    rows = token_rows(
        community_id=request.community_id,
        request_id=request.id,
        text=request.description,
        words=words,
    )
    insert_rows(rows, ignore_conflicts=True)
    return len(rows)


def matching_tokens(words: list[str], community_ids: list[int] | None) -> QuerySet[RequestToken]:
    """Index rows of the first word whose request also has every other word.

    Each other word is looked up per row as a scalar sub-query (a point in the primary key), so
    reading the first word's rows in request order stops as soon as a page is full. Written as
    EXISTS, PostgreSQL turns the lookup into a join and, misjudging how often two words meet,
    hashes every row of both words first: 1.8 s for 漏水 + 楼下 at a million requests.
    """
    first, *others = words
    tokens = RequestToken.objects.filter(token=first)
    if community_ids is not None:
        tokens = tokens.filter(community_id__in=community_ids)
    for n, word in enumerate(others):
        also = RequestToken.objects.filter(
            community_id=OuterRef("community_id"), token=word, request_id=OuterRef("request_id")
        ).values("request_id")[:1]
        tokens = tokens.alias(**{f"also_{n}": Subquery(also)}).filter(
            **{f"also_{n}__isnull": False}
        )
    return tokens


def matching_request_ids(
    words: list[str], community_ids: list[int] | None, *, before: int | None, limit: int
) -> list[int]:
    """Up to `limit` ids of the requests with every word, newest first, below `before` if given.

    The rows of `matching_tokens` read in request order, by a statement built once per shape
    (number of words and of communities, a cursor or not, the limit): a search page runs it
    every time, and the ORM took 0.4-0.6 ms of CPU to write it for two words, longer than
    PostgreSQL took to answer it (issue 20)."""
    if community_ids is not None and not community_ids:
        return []  # no community in scope: nothing matches
    scoped = community_ids or []
    values = [*words, *scoped, *([] if before is None else [before])]
    # Marks the ORM passes through as they are: words no text holds, ids no row has.
    marks = [f"\x00{n}" for n in range(len(words))]
    marks += [-(n + 1) for n in range(len(values) - len(words))]

    def page(marks: list) -> QuerySet:
        tokens = matching_tokens(
            marks[: len(words)],
            None if community_ids is None else marks[len(words) : len(words) + len(scoped)],
        ).order_by("-request_id")
        if before is not None:
            tokens = tokens.filter(request_id__lt=marks[-1])
        return tokens.values_list("request_id", flat=True)[:limit]

    shape = ("search ids", len(words), community_ids is not None, len(scoped), before is not None)
    return [row[0] for row in statements.statement((*shape, limit), page, marks).run(values)]
