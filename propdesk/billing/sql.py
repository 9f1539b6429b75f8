# ruff: noqa: S608 — every value is a bound parameter; f-strings join this module's fixed fragments
"""The billing rule as set-based SQL: one statement bills a batch of communities for a month.

Same rule as `billing.rules`, in integer fen, on SQLite and PostgreSQL alike:

    amount = (q × rate_fen × percent × days × 2 + D) / (2 × D),   D = 100 × 100 × days in month

with q the area in hundredths of m² (`CAST(ROUND(area_m2 * 100) AS BIGINT)`, exact for two
decimals even where SQLite holds the area as a float) and integer division — half-up rounding
without `round()`, which SQLite does in floating point (PERF-NOTES).

Each community's terms — the fee item and the rate in effect on the month's first day for each
house and parking kind, the due date, pro-rating and the vacancy rule — are read beforehand by
the same selectors the Python rule uses, and enter the statement as one VALUES row per
community; so one statement bills a batch of communities whatever their policies. Houses and
spaces come from their own tables in the same statement. What is billed already is skipped
(`NOT EXISTS` on the bill key) — running a month again adds only what is missing — unless the
caller knows the batch has no bills of the month yet, in which case the check is left out and
the statement is the floor's own shape (bench/README-billing.md); the unique key still refuses a
duplicate either way.
"""

import datetime
from dataclasses import dataclass, field

from django.db import connection

from propdesk.billing.rules import days_in_month, month_end

BILL_COLUMNS = (
    "community_id, house_id, fee_item_id, period, ref, parking_space_id, quantity, rate_fen, "
    "percent, days, period_days, amount_fen, due_on, description, run_id, created_by_id, "
    "created_at"
)
HOUSE_KINDS = ("residential", "commercial")
PARKING_KINDS = ("shared", "dedicated", "open_air")
KINDS = HOUSE_KINDS + PARKING_KINDS
TERMS_COLUMNS = ", ".join(
    [
        "community_id, vacancy_percent, pro_rate, due_on, cutoff, by_application",
        *(f"{kind}_item, {kind}_rate" for kind in KINDS),
    ]
)
AMOUNT_SQL = "(q * rate_fen * pct * days * 2 + %(denominator)s) / (2 * %(denominator)s)"


@dataclass(frozen=True)
class CommunityTerms:
    """What a community's bills for the month are made of (services.runs.run_terms)."""

    community_id: int
    due_on: datetime.date
    pro_rate: bool
    vacancy_percent: int
    vacancy_cutoff: datetime.date  # vacant since this date or earlier: the vacancy rate applies
    vacancy_requires_application: bool
    # kind → (fee item id, rate in fen), for the kinds with a rate this month
    rates: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Batch:
    """Communities billed together for one month, and the run's stamp on their bills."""

    period: datetime.date
    communities: tuple[CommunityTerms, ...]
    building_id: int | None = None
    run_id: int | None = None
    actor_id: int | None = None
    now: datetime.datetime | None = None

    def has_rates(self, kinds) -> bool:
        return any(kind in terms.rates for terms in self.communities for kind in kinds)

    def params(self) -> dict:
        ops = connection.ops
        period_days = days_in_month(self.period)
        values = {
            "building": self.building_id,
            "period": ops.adapt_datefield_value(self.period),
            "period_end": ops.adapt_datefield_value(month_end(self.period)),
            "period_days": period_days,
            "denominator": 100 * 100 * period_days,
            "run": self.run_id,
            "actor": self.actor_id,
            "now": ops.adapt_datetimefield_value(self.now) if self.now else None,
        }
        for i, terms in enumerate(self.communities):
            values.update(
                {
                    f"c{i}": terms.community_id,
                    f"pct{i}": terms.vacancy_percent,
                    f"pro{i}": int(terms.pro_rate),
                    f"due{i}": ops.adapt_datefield_value(terms.due_on),
                    f"cut{i}": ops.adapt_datefield_value(terms.vacancy_cutoff),
                    f"app{i}": int(terms.vacancy_requires_application),
                }
            )
            for kind in KINDS:
                item, rate = terms.rates.get(kind, (None, None))
                values.update({f"{kind}_item{i}": item, f"{kind}_rate{i}": rate})
        return values

    def terms_values(self) -> str:
        """One VALUES row per community: its policy, and the fee item and rate per kind."""
        pg = connection.vendor == "postgresql"

        def cell(name: str, sql_type: str) -> str:
            # PostgreSQL would type a column of NULLs as text: say what each one is. SQLite
            # needs no casts (and would turn a date into a number).
            return f"CAST(%({name})s AS {sql_type})" if pg else f"%({name})s"

        rows = []
        for i in range(len(self.communities)):
            cells = [
                cell(f"c{i}", "BIGINT"),
                cell(f"pct{i}", "BIGINT"),
                cell(f"pro{i}", "BIGINT"),
                cell(f"due{i}", "DATE"),
                cell(f"cut{i}", "DATE"),
                cell(f"app{i}", "BIGINT"),
            ]
            for kind in KINDS:
                cells += [cell(f"{kind}_item{i}", "BIGINT"), cell(f"{kind}_rate{i}", "BIGINT")]
            rows.append(f"({', '.join(cells)})")
        return ", ".join(rows)

    def community_list(self) -> str:
        return ", ".join(f"%(c{i})s" for i in range(len(self.communities))) or "NULL"


def _day_of_month(expression: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(DAY FROM {expression}) AS BIGINT)"
    return f"CAST(strftime('%%d', {expression}) AS INTEGER)"


def _by_kind(column: str, kinds, suffix: str) -> str:
    """CASE h.kind WHEN 'residential' THEN t.residential_item … END (NULL: no rate)."""
    whens = " ".join(f"WHEN '{kind}' THEN t.{kind}_{suffix}" for kind in kinds)
    return f"CASE {column} {whens} END"


def _not_billed(batch: "Batch", *, house_id: str, fee_item: str, ref: str, refs: str | None) -> str:
    """AND-clause on a house or space row of the batch: not billed yet (NOT EXISTS on the bill
    key). It stands beside the row's own filters, before the row's terms are worked out, so a
    re-run rejects what is billed already without computing a rate, a vacancy or a number of
    days for it (working out every house's terms and then dropping the billed ones cost 2.5×
    the re-run floor's CPU at a million houses).

    With `refs` (houses) the check is restricted to the batch's communities and month and to
    bills whose ref is like `refs`, which the key implies: PostgreSQL then hashes the batch's
    bills of the month once, the cheapest way to check every house of twenty communities.
    Without (spaces) it names the key alone, and each space is one probe of the key's index:
    the restriction to the batch's communities made PostgreSQL probe once per community of the
    batch for every space (1.08 s of CPU for 150,000 spaces at a million houses, 0.27 s
    without it, bench/README-billing.md)."""
    scope = (
        f"b.community_id IN ({batch.community_list()}) AND b.ref LIKE {refs} AND "
        if refs is not None
        else ""
    )
    return f"""AND NOT EXISTS (
          SELECT 1 FROM billing_bill b
          WHERE {scope}b.period = %(period)s
            AND b.community_id = t.community_id AND b.house_id = {house_id}
            AND b.fee_item_id = {fee_item} AND b.ref = {ref}
        )"""


_LATER_CHANGE = """
    SELECT 1 FROM estates_housestatuschange l
    WHERE l.community_id = c.community_id AND l.house_id = c.house_id
      AND l.effective_on <= %(period_end)s
      AND (l.effective_on > c.effective_on OR (l.effective_on = c.effective_on AND l.id > c.id))
"""

# Houses billed at the vacancy rate: vacant without a break from the cutoff or earlier to the
# end of the month and, where the policy says so, with an approved application for that vacancy
# in effect (its discount starts the month after approval).
_DISCOUNTED = f"""
    SELECT a.house_id FROM billing_vacancyapplication a
    JOIN terms t ON t.community_id = a.community_id AND t.by_application = 1
    JOIN estates_housestatuschange c
      ON c.community_id = a.community_id AND c.house_id = a.house_id
     AND c.to_status = 'vacant' AND c.effective_on = a.vacant_since
    WHERE a.status = 'approved' AND a.discount_from <= %(period)s
      AND a.vacant_since <= t.cutoff AND NOT EXISTS ({_LATER_CHANGE})
    UNION ALL
    SELECT c.house_id FROM estates_housestatuschange c
    JOIN terms t ON t.community_id = c.community_id AND t.by_application = 0
    WHERE c.to_status = 'vacant' AND c.effective_on <= t.cutoff
      AND NOT EXISTS ({_LATER_CHANGE})
"""


def house_source_sql(batch: Batch, *, skip_billed: bool = True) -> str:
    """WITH … src: one row per house of the batch to bill for the month's management fee."""
    days = (
        "CASE WHEN t.pro_rate = 1 AND h.delivered_on > %(period)s "
        f"THEN %(period_days)s - {_day_of_month('h.delivered_on')} + 1 "
        "ELSE %(period_days)s END"
    )
    building = "AND h.building_id = %(building)s" if batch.building_id else ""
    fee_item = _by_kind("h.kind", HOUSE_KINDS, "item")
    not_billed = (
        _not_billed(batch, house_id="h.id", fee_item=fee_item, ref="''", refs="''")
        if skip_billed
        else ""
    )
    return f"""
        WITH terms ({TERMS_COLUMNS}) AS (VALUES {batch.terms_values()}),
        discounted AS MATERIALIZED ({_DISCOUNTED}),
        src AS (
          SELECT h.community_id AS community_id, h.id AS house_id,
                 {fee_item} AS fee_item_id,
                 {_by_kind("h.kind", HOUSE_KINDS, "rate")} AS rate_fen,
                 h.area_m2 AS quantity, CAST(ROUND(h.area_m2 * 100) AS BIGINT) AS q,
                 CASE WHEN h.id IN (SELECT house_id FROM discounted)
                      THEN t.vacancy_percent ELSE 100 END AS pct,
                 {days} AS days, t.due_on AS due_on
          FROM terms t
          JOIN estates_house h ON h.community_id = t.community_id
          WHERE h.community_id IN ({batch.community_list()}) {building}
            AND h.status <> 'unsold'
            AND {fee_item} IS NOT NULL
            AND (h.delivered_on IS NULL OR h.delivered_on <= %(period_end)s)
            AND h.area_m2 > 0
            {not_billed}
        )
    """


def parking_source_sql(batch: Batch, *, skip_billed: bool = True) -> str:
    """WITH … src: one row per let or sold space (with its house) to bill this month."""
    building = (
        "AND EXISTS (SELECT 1 FROM estates_house h WHERE h.id = p.house_id "
        "AND h.building_id = %(building)s)"
        if batch.building_id
        else ""
    )
    fee_item = _by_kind("p.kind", PARKING_KINDS, "item")
    ref = "'space:' || CAST(p.id AS VARCHAR(20))"
    not_billed = (
        _not_billed(batch, house_id="p.house_id", fee_item=fee_item, ref=ref, refs=None)
        if skip_billed
        else ""
    )
    return f"""
        WITH terms ({TERMS_COLUMNS}) AS (VALUES {batch.terms_values()}),
        src AS (
          SELECT p.community_id AS community_id, p.house_id AS house_id,
                 {fee_item} AS fee_item_id,
                 {_by_kind("p.kind", PARKING_KINDS, "rate")} AS rate_fen,
                 t.due_on AS due_on, p.id AS space_id, p.number AS space_number,
                 {ref} AS ref
          FROM terms t
          JOIN estates_parkingspace p ON p.community_id = t.community_id
          WHERE p.community_id IN ({batch.community_list()}) {building}
            AND p.status IN ('let', 'sold') AND p.house_id IS NOT NULL
            AND {fee_item} IS NOT NULL
            {not_billed}
        )
    """


def _execute(sql: str, batch: Batch) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, batch.params())
        return cursor.rowcount


def insert_house_bills(batch: Batch, *, skip_billed: bool = True) -> int:
    if not batch.has_rates(HOUSE_KINDS):
        return 0
    # INSERT first and WITH inside it: drivers count the inserted rows only for statements
    # that start with INSERT.
    return _execute(
        f"""
        INSERT INTO billing_bill ({BILL_COLUMNS})
        {house_source_sql(batch, skip_billed=skip_billed)}
        SELECT community_id, house_id, fee_item_id, %(period)s, '', NULL, quantity, rate_fen,
               pct, days, %(period_days)s, {AMOUNT_SQL}, due_on, '',
               CAST(%(run)s AS BIGINT), CAST(%(actor)s AS BIGINT), %(now)s
        FROM src
        """,
        batch,
    )


def insert_parking_bills(batch: Batch, *, skip_billed: bool = True) -> int:
    if not batch.has_rates(PARKING_KINDS):
        return 0
    return _execute(
        f"""
        INSERT INTO billing_bill ({BILL_COLUMNS})
        {parking_source_sql(batch, skip_billed=skip_billed)}
        SELECT community_id, house_id, fee_item_id, %(period)s, ref, space_id, 1, rate_fen,
               100, %(period_days)s, %(period_days)s, rate_fen, due_on, space_number,
               CAST(%(run)s AS BIGINT), CAST(%(actor)s AS BIGINT), %(now)s
        FROM src
        """,
        batch,
    )


def billed_already(batch: Batch) -> bool:
    """Does any community of the batch have a bill of the month (from an earlier run)?"""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM billing_bill WHERE community_id IN "
            f"({batch.community_list()}) AND period = %(period)s LIMIT 1",
            batch.params(),
        )
        return cursor.fetchone() is not None


def bill_statistics_refresh() -> None:
    """PostgreSQL: ANALYZE the bill table when more than a tenth of it changed since it was last
    analysed (autovacuum's own threshold, which autovacuum acts on only later), as right after
    a run. SQLite plans the key check as an index probe per row whatever it knows."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.n_mod_since_analyze, GREATEST(c.reltuples, 0) FROM pg_stat_user_tables s "
            "JOIN pg_class c ON c.oid = s.relid WHERE s.relid = 'billing_bill'::regclass"
        )
        row = cursor.fetchone()
        if row is not None and row[0] > 1000 + 0.1 * row[1]:
            cursor.execute("ANALYZE billing_bill")


def _grouped(sql: str, batch: Batch) -> dict[int, tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, batch.params())
        return {row[0]: (int(row[1]), int(row[2] or 0)) for row in cursor.fetchall()}


def preview_house_bills(batch: Batch) -> dict[int, tuple[int, int]]:
    """fee item id → (bills, amount in fen) the run would add for houses."""
    if not batch.has_rates(HOUSE_KINDS):
        return {}
    return _grouped(
        f"{house_source_sql(batch)} "
        f"SELECT fee_item_id, COUNT(*), SUM({AMOUNT_SQL}) FROM src GROUP BY fee_item_id",
        batch,
    )


def preview_parking_bills(batch: Batch) -> dict[int, tuple[int, int]]:
    if not batch.has_rates(PARKING_KINDS):
        return {}
    return _grouped(
        f"{parking_source_sql(batch)} "
        "SELECT fee_item_id, COUNT(*), SUM(rate_fen) FROM src GROUP BY fee_item_id",
        batch,
    )


def house_exceptions(batch: Batch) -> dict[str, int]:
    """Houses the run leaves out, and why: unsold, delivered after the month, no area."""
    building = "AND h.building_id = %(building)s" if batch.building_id else ""
    sql = f"""
        SELECT
          COALESCE(SUM(CASE WHEN h.status = 'unsold' THEN 1 ELSE 0 END), 0),
          COALESCE(SUM(CASE WHEN h.status <> 'unsold' AND h.delivered_on > %(period_end)s
                   THEN 1 ELSE 0 END), 0),
          COALESCE(SUM(CASE WHEN h.area_m2 IS NULL OR h.area_m2 <= 0 THEN 1 ELSE 0 END), 0),
          COUNT(*)
        FROM estates_house h
        WHERE h.community_id IN ({batch.community_list()}) {building}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, batch.params())
        unsold, not_delivered, no_area, houses = cursor.fetchone()
    return {
        "houses": int(houses),
        "unsold": int(unsold),
        "not_delivered": int(not_delivered),
        "no_area": int(no_area),
    }


def spaces_without_house(batch: Batch) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM estates_parkingspace p "
            f"WHERE p.community_id IN ({batch.community_list()}) "
            "AND p.status IN ('let', 'sold') AND p.house_id IS NULL",
            batch.params(),
        )
        return int(cursor.fetchone()[0])
