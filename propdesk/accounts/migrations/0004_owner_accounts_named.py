from django.db import migrations


def owner_accounts_named(apps, schema_editor):
    """A portal account linked to an owner record takes the owner's name, so histories show the
    owner rather than the account's opaque username (owner-…). Accounts with a name keep it."""
    User = apps.get_model("accounts", "User")
    Owner = apps.get_model("estates", "Owner")
    max_length = User._meta.get_field("first_name").max_length
    linked = Owner.objects.filter(
        user__role="owner", user__first_name="", user__last_name=""
    ).values_list("user_id", "name")
    for user_id, name in linked.iterator():
        User.objects.filter(pk=user_id, first_name="", last_name="").update(
            first_name=name[:max_length]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_owner_usernames_without_mobile"),
        ("estates", "0005_portal_mobile_indexes"),
    ]

    operations = [
        migrations.RunPython(owner_accounts_named, migrations.RunPython.noop),
    ]
