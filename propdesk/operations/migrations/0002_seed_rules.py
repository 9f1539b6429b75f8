"""The company's default alert thresholds; each community can set its own (DESIGN.md: defaults)."""

from django.db import migrations

# kind, metric, low, high, emergency, request category
DEFAULTS = [
    ("pump", "pressure", 0.15, None, False, "repair_water"),
    ("pump", "current", None, 30.0, False, "repair_water"),
    ("tank", "level", 20.0, None, False, "repair_water"),
    ("drainage", "level", None, 80.0, True, "repair_water"),
    ("lift", "stops", None, 60.0, False, "repair_elevator"),
    ("ac", "temperature", None, 30.0, False, "repair_building"),
    ("generator", "temperature", None, 95.0, False, "repair_electric"),
]


def seed(apps, schema_editor):
    rule = apps.get_model("operations", "ThresholdRule")
    for kind, metric, low, high, emergency, category in DEFAULTS:
        rule.objects.get_or_create(
            community=None,
            kind=kind,
            metric=metric,
            defaults={"low": low, "high": high, "emergency": emergency, "category": category},
        )


class Migration(migrations.Migration):
    dependencies = [("operations", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
