# Residents are found by full pinyin too (`lisiy` finds 李思远 living in a house), not only by
# initials: the prefix index that search needs when a company-wide search reaches residents.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('estates', '0002_search_covering_indexes'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='resident',
            index=models.Index(fields=['community', 'name_pinyin'], name='resident_pinyin', opclasses=['int8_ops', 'varchar_pattern_ops']),
        ),
    ]
