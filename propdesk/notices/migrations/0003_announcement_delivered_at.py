"""Record when the worker queued an announcement's messages (publishing no longer does it).

Announcements published or withdrawn before this migration had their messages queued while
being published, so they count as queued at their publishing time.
"""

from django.db import migrations, models


def mark_delivered(apps, schema_editor):
    Announcement = apps.get_model("notices", "Announcement")
    Announcement.objects.filter(
        status__in=["published", "withdrawn"], published_at__isnull=False
    ).update(delivered_at=models.F("published_at"))


class Migration(migrations.Migration):
    dependencies = [("notices", "0002_seed_templates")]

    operations = [
        migrations.AddField(
            model_name="announcement",
            name="delivered_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="messages queued at"),
        ),
        migrations.RunPython(mark_delivered, migrations.RunPython.noop),
    ]
