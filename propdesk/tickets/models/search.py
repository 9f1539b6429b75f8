"""The Chinese full-text index of request descriptions: one row per (community, word, request).

Descriptions are segmented with jieba (tickets.search) and each distinct word is stored here, so a
keyword search is an index range read on (community, token) in request order, on SQLite and
PostgreSQL alike — never `LIKE '%漏水%'` over a million descriptions.
"""

from django.db import models


class RequestToken(models.Model):
    pk = models.CompositePrimaryKey("community_id", "token", "request_id")
    community = models.ForeignKey(
        "estates.Community",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    token = models.CharField(max_length=24)
    # Descriptions are never edited (corrections are work notes) and requests never deleted, so
    # the rows are only ever inserted: no constraint or index on the request alone is needed.
    request = models.ForeignKey(
        "tickets.ServiceRequest",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )

    class Meta:
        indexes = [
            # Company-wide searches (administrators) read one token across every community in
            # request order without sorting the matches of each community.
            models.Index(fields=["token", "request"], name="req_token_global"),
        ]

    def __str__(self) -> str:
        return f"{self.community_id}:{self.token}→{self.request_id}"
