# ruff: noqa: S608 — every value is a bound parameter; f-strings join this module's fixed fragments
"""The billing rule as set-based SQL, for one community (and optionally one building) at a time.

Same rule as `billing.rules`, in integer fen, on SQLite and PostgreSQL alike:

    amount = (q × rate_fen × percent × days × 2 + D) / (2 × D),   D = 100 × 100 × days in month

with q the area in hundredths of m² (`CAST(ROUND(area_m2 * 100) AS BIGINT)`, exact for two
decimals even where SQLite holds the area as a float) and integer division — half-up rounding
without `round()`, which SQLite does in floating point (PERF-NOTES). The statements select house,
fee item and community from their own tables and skip (`NOT EXISTS` on the bill key) what is
already billed, so running them again adds only what is missing.
"""

import datetime
from dataclasses import dataclass

from django.db import connection

from propdesk.billing.models import MONTHLY_HOUSE_FEES, MONTHLY_PARKING_FEES
from propdesk.billing.rules import add_months, days_in_month, month_end

BILL_COLUMNS = (
    "community_id, house_id, fee_item_id, period, ref, parking_space_id, quantity, rate_fen, "
    "percent, days, period_days, amount_fen, due_on, description, run_id, created_by_id, "
    "created_at"
)


@dataclass(frozen=True)
class RunParams:
    community_id: int
    period: datetime.date
    due_on: datetime.date
    pro_rate: bool
    vacancy_percent: int
    vacancy_threshold_months: int
    vacancy_requires_application: bool
    building_id: int | None = None
    run_id: int | None = None
    actor_id: int | None = None
    now: datetime.datetime | None = None

    def sql_params(self) -> dict:
        ops = connection.ops
        period_days = days_in_month(self.period)
        return {
            "community": self.community_id,
            "building": self.building_id,
            "period": ops.adapt_datefield_value(self.period),
            "period_end": ops.adapt_datefield_value(month_end(self.period)),
            "cutoff": ops.adapt_datefield_value(
                add_months(self.period, -self.vacancy_threshold_months)
            ),
            "period_days": period_days,
            "denominator": 100 * 100 * period_days,
            "vacancy_percent": self.vacancy_percent,
            "due_on": ops.adapt_datefield_value(self.due_on),
            "run": self.run_id,
            "actor": self.actor_id,
            "now": ops.adapt_datetimefield_value(self.now) if self.now else None,
            "active": True,
        }


def _day_of_month(expression: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(DAY FROM {expression}) AS BIGINT)"
    return f"CAST(strftime('%%d', {expression}) AS INTEGER)"


def _code_case(column: str, mapping: dict) -> str:
    whens = " ".join(f"WHEN '{kind}' THEN '{code}'" for kind, code in mapping.items())
    return f"CASE {column} {whens} END"


_LATER_CHANGE = """
    SELECT 1 FROM estates_housestatuschange l
    WHERE l.community_id = c.community_id AND l.house_id = c.house_id
      AND l.effective_on <= %(period_end)s
      AND (l.effective_on > c.effective_on OR (l.effective_on = c.effective_on AND l.id > c.id))
"""


def _discounted_sql(params: RunParams) -> str:
    """Houses billed at the vacancy rate: vacant without a break from on or before the cutoff
    to the end of the month and, when the policy says so, with an approved application for that
    vacancy in effect (its discount starts the month after approval)."""
    if params.vacancy_requires_application:
        return f"""
            SELECT a.house_id FROM billing_vacancyapplication a
            JOIN estates_housestatuschange c
              ON c.community_id = a.community_id AND c.house_id = a.house_id
             AND c.to_status = 'vacant' AND c.effective_on = a.vacant_since
            WHERE a.community_id = %(community)s AND a.status = 'approved'
              AND a.discount_from <= %(period)s AND a.vacant_since <= %(cutoff)s
              AND NOT EXISTS ({_LATER_CHANGE})
        """
    return f"""
        SELECT c.house_id FROM estates_housestatuschange c
        WHERE c.community_id = %(community)s AND c.to_status = 'vacant'
          AND c.effective_on <= %(cutoff)s
          AND NOT EXISTS ({_LATER_CHANGE})
    """


def _rates_sql() -> str:
    return """
        SELECT fi.id AS fee_item_id, fi.code AS code,
          (SELECT r.rate_fen FROM billing_feerate r
            WHERE r.fee_item_id = fi.id AND r.effective_from <= %(period)s
            ORDER BY r.effective_from DESC, r.id DESC LIMIT 1) AS rate_fen
        FROM billing_feeitem fi
        WHERE fi.community_id = %(community)s AND fi.active = %(active)s
    """


def house_source_sql(params: RunParams) -> str:
    """WITH … src: one row per house still to bill for the month's management fee."""
    if params.pro_rate:
        days = (
            "CASE WHEN h.delivered_on > %(period)s "
            f"THEN %(period_days)s - {_day_of_month('h.delivered_on')} + 1 "
            "ELSE %(period_days)s END"
        )
    else:
        days = "%(period_days)s"
    building = "AND h.building_id = %(building)s" if params.building_id else ""
    return f"""
        WITH rates AS ({_rates_sql()}),
        discounted AS ({_discounted_sql(params)}),
        src AS (
          SELECT h.community_id AS community_id, h.id AS house_id, r.fee_item_id AS fee_item_id,
                 r.rate_fen AS rate_fen, h.area_m2 AS quantity,
                 CAST(ROUND(h.area_m2 * 100) AS BIGINT) AS q,
                 CASE WHEN h.id IN (SELECT house_id FROM discounted)
                      THEN %(vacancy_percent)s ELSE 100 END AS pct,
                 {days} AS days
          FROM estates_house h
          JOIN rates r ON r.code = {_code_case("h.kind", MONTHLY_HOUSE_FEES)}
          WHERE h.community_id = %(community)s {building}
            AND h.status <> 'unsold'
            AND (h.delivered_on IS NULL OR h.delivered_on <= %(period_end)s)
            AND r.rate_fen IS NOT NULL AND h.area_m2 > 0
            AND NOT EXISTS (
              SELECT 1 FROM billing_bill b
              WHERE b.community_id = h.community_id AND b.house_id = h.id
                AND b.fee_item_id = r.fee_item_id AND b.period = %(period)s AND b.ref = ''
            )
        )
    """


AMOUNT_SQL = "(q * rate_fen * pct * days * 2 + %(denominator)s) / (2 * %(denominator)s)"


def parking_source_sql(params: RunParams) -> str:
    """WITH … src: one row per let or sold space (with its house) still to bill this month."""
    building = (
        "AND EXISTS (SELECT 1 FROM estates_house h WHERE h.id = p.house_id "
        "AND h.building_id = %(building)s)"
        if params.building_id
        else ""
    )
    return f"""
        WITH rates AS ({_rates_sql()}),
        src AS (
          SELECT p.community_id AS community_id, p.house_id AS house_id,
                 r.fee_item_id AS fee_item_id, r.rate_fen AS rate_fen, p.id AS space_id,
                 p.number AS space_number, 'space:' || CAST(p.id AS VARCHAR(20)) AS ref
          FROM estates_parkingspace p
          JOIN rates r ON r.code = {_code_case("p.kind", MONTHLY_PARKING_FEES)}
          WHERE p.community_id = %(community)s {building}
            AND p.status IN ('let', 'sold') AND p.house_id IS NOT NULL
            AND r.rate_fen IS NOT NULL
            AND NOT EXISTS (
              SELECT 1 FROM billing_bill b
              WHERE b.community_id = p.community_id AND b.house_id = p.house_id
                AND b.fee_item_id = r.fee_item_id AND b.period = %(period)s
                AND b.ref = 'space:' || CAST(p.id AS VARCHAR(20))
            )
        )
    """


def insert_house_bills(params: RunParams) -> int:
    # INSERT first and WITH inside it: drivers count the inserted rows only for statements
    # that start with INSERT.
    sql = f"""
        INSERT INTO billing_bill ({BILL_COLUMNS})
        {house_source_sql(params)}
        SELECT community_id, house_id, fee_item_id, %(period)s, '', NULL, quantity, rate_fen,
               pct, days, %(period_days)s, {AMOUNT_SQL}, %(due_on)s, '',
               CAST(%(run)s AS BIGINT), CAST(%(actor)s AS BIGINT), %(now)s
        FROM src
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params.sql_params())
        return cursor.rowcount


def insert_parking_bills(params: RunParams) -> int:
    sql = f"""
        INSERT INTO billing_bill ({BILL_COLUMNS})
        {parking_source_sql(params)}
        SELECT community_id, house_id, fee_item_id, %(period)s, ref, space_id, 1, rate_fen,
               100, %(period_days)s, %(period_days)s, rate_fen, %(due_on)s, space_number,
               CAST(%(run)s AS BIGINT), CAST(%(actor)s AS BIGINT), %(now)s
        FROM src
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params.sql_params())
        return cursor.rowcount


def preview_house_bills(params: RunParams) -> dict[int, tuple[int, int]]:
    """fee item id → (bills, amount in fen) the run would add for houses."""
    sql = f"""
        {house_source_sql(params)}
        SELECT fee_item_id, COUNT(*), SUM({AMOUNT_SQL}) FROM src GROUP BY fee_item_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params.sql_params())
        return {row[0]: (row[1], int(row[2] or 0)) for row in cursor.fetchall()}


def preview_parking_bills(params: RunParams) -> dict[int, tuple[int, int]]:
    sql = f"""
        {parking_source_sql(params)}
        SELECT fee_item_id, COUNT(*), SUM(rate_fen) FROM src GROUP BY fee_item_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params.sql_params())
        return {row[0]: (row[1], int(row[2] or 0)) for row in cursor.fetchall()}


def house_exceptions(params: RunParams) -> dict[str, int]:
    """Houses the run leaves out, and why: unsold, delivered after the month, no area."""
    building = "AND h.building_id = %(building)s" if params.building_id else ""
    sql = f"""
        SELECT
          COALESCE(SUM(CASE WHEN h.status = 'unsold' THEN 1 ELSE 0 END), 0),
          COALESCE(SUM(CASE WHEN h.status <> 'unsold' AND h.delivered_on > %(period_end)s
                   THEN 1 ELSE 0 END), 0),
          COALESCE(SUM(CASE WHEN h.area_m2 IS NULL OR h.area_m2 <= 0 THEN 1 ELSE 0 END), 0),
          COUNT(*)
        FROM estates_house h
        WHERE h.community_id = %(community)s {building}
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params.sql_params())
        unsold, not_delivered, no_area, houses = cursor.fetchone()
    return {
        "houses": int(houses),
        "unsold": int(unsold),
        "not_delivered": int(not_delivered),
        "no_area": int(no_area),
    }


def spaces_without_house(params: RunParams) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM estates_parkingspace p WHERE p.community_id = %(community)s "
            "AND p.status IN ('let', 'sold') AND p.house_id IS NULL",
            params.sql_params(),
        )
        return int(cursor.fetchone()[0])
