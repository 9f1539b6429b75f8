"""Quality records written set-based, for the loaders that make many at once (the demo's half
year of calls and survey answers, the quality bench's month): COPY on PostgreSQL, one
executemany on SQLite (`estates.seeding.write_rows`), instead of through model instances,
whose construction and per-row SQL compilation would cost most of the load's CPU.

The loader builds each row with the fields its service would set; these write them as given."""

import functools

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max

from propdesk.estates.seeding import write_rows


class Rows:
    """Rows of one model. Every column starts from `base` (a model instance: its values,
    converted for the database once); each row gives the `varying` ones, in that order. Ids are
    allocated by the loader from `next_id()`, past the table's highest."""

    def __init__(self, model, base, varying: str):
        fields = list(model._meta.concrete_fields)
        self.model = model
        self.names = [f.attname for f in fields]
        self.base = [f.get_db_prep_save(getattr(base, f.attname), connection) for f in fields]
        by_name = {f.attname: (n, f) for n, f in enumerate(fields)}
        self.slots = []
        for name in varying.split():
            slot, field = by_name[name]
            kind = field.get_internal_type()
            prep = None
            if kind in ("DateTimeField", "DateField", "JSONField", "DecimalField"):
                prep = functools.partial(field.get_db_prep_save, connection=connection)
            self.slots.append((slot, prep))
        self.rows: list[tuple] = []

    def next_id(self) -> int:
        return (self.model.objects.aggregate(top=Max("id"))["top"] or 0) + 1

    def add(self, *values) -> None:
        row = self.base.copy()
        for (slot, prep), value in zip(self.slots, values, strict=True):
            row[slot] = value if prep is None or value is None else prep(value)
        self.rows.append(tuple(row))

    def write(self) -> None:
        with transaction.atomic():
            write_rows(self.model, self.names, self.rows)
            for sql in connection.ops.sequence_reset_sql(no_style(), [self.model]):
                with connection.cursor() as cursor:
                    cursor.execute(sql)
        self.rows = []
