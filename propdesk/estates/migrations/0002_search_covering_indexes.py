# Registry search at a million houses: the owner indexes also carry the sort key (name_pinyin)
# and the id, so a company-wide search sorts index entries instead of fetching every matching
# row; rooms carry the code they are sorted by; residents get the name index their search needs.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('estates', '0001_initial'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='house',
            name='house_room_number',
        ),
        migrations.RemoveIndex(
            model_name='owner',
            name='owner_name',
        ),
        migrations.RemoveIndex(
            model_name='owner',
            name='owner_pinyin',
        ),
        migrations.RemoveIndex(
            model_name='owner',
            name='owner_initials',
        ),
        migrations.AddIndex(
            model_name='house',
            index=models.Index(fields=['community', 'number', 'code', 'id'], name='house_room_number'),
        ),
        migrations.AddIndex(
            model_name='owner',
            index=models.Index(fields=['community', 'name', 'name_pinyin', 'id'], name='owner_name', opclasses=['int8_ops', 'varchar_pattern_ops', 'text_ops', 'int8_ops']),
        ),
        migrations.AddIndex(
            model_name='owner',
            index=models.Index(fields=['community', 'name_pinyin', 'id'], name='owner_pinyin', opclasses=['int8_ops', 'varchar_pattern_ops', 'int8_ops']),
        ),
        migrations.AddIndex(
            model_name='owner',
            index=models.Index(fields=['community', 'name_initials', 'name_pinyin', 'id'], name='owner_initials', opclasses=['int8_ops', 'varchar_pattern_ops', 'text_ops', 'int8_ops']),
        ),
        migrations.AddIndex(
            model_name='resident',
            index=models.Index(fields=['community', 'name'], name='resident_name', opclasses=['int8_ops', 'varchar_pattern_ops']),
        ),
    ]
