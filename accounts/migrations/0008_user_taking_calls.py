from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_move_records_to_lib"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="taking_calls",
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.AddField(
            model_name="user",
            name="taking_calls_seen_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
