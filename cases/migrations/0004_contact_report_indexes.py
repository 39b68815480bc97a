"""Covering indexes for the yearly report and the dashboards at scale (millions of contacts).

Built CONCURRENTLY (no write lock on a large contacts table), and before the indexes they
replace are dropped, so no query is ever left without one. The dropped single-column
indexes (advocate, started_at, purpose) each lead one of the new composite indexes.
"""

from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


# The names Django gave the fields' own indexes in 0001_initial (db_index / ForeignKey).
SINGLE_COLUMN_INDEXES = [
    ("cases_contact_advocate_id_568498ba", 'cases_contact ("advocate_id")'),
    ("cases_contact_started_at_dde54bf4", 'cases_contact ("started_at")'),
    ("cases_contact_purpose_9b6072c6", 'cases_contact ("purpose")'),
    ("cases_contact_purpose_9b6072c6_like", 'cases_contact ("purpose" varchar_pattern_ops)'),
]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("cases", "0003_feedback_answers_optional"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="contact",
            index=models.Index(
                fields=["purpose", "started_at"],
                include=["case"],
                name="contact_purpose_started_cov",
            ),
        ),
        AddIndexConcurrently(
            model_name="contact",
            index=models.Index(
                fields=["started_at"], include=["purpose"], name="contact_started_purpose_cov"
            ),
        ),
        AddIndexConcurrently(
            model_name="contact",
            index=models.Index(fields=["advocate", "started_at"], name="contact_advocate_started"),
        ),
        RemoveIndexConcurrently(
            model_name="contact",
            name="cases_conta_purpose_48ee64_idx",
        ),
        # Only the single-column indexes go: a plain AlterField would also drop and re-add
        # the advocate foreign key, re-validating every contact under a lock.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="contact",
                    name="advocate",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.PROTECT,
                        related_name="contacts_logged",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="purpose",
                    field=models.CharField(
                        choices=[
                            ("crisis_intervention", "Crisis intervention"),
                            ("emotional_support", "Emotional support"),
                            ("prevention_planning", "Prevention planning"),
                            ("follow_up", "Follow-up"),
                            ("reunification_planning", "Reunification planning"),
                            ("other", "Other"),
                        ],
                        max_length=30,
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="started_at",
                    field=models.DateTimeField(),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=f"DROP INDEX CONCURRENTLY IF EXISTS {name}",
                    reverse_sql=f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {definition}",
                )
                for name, definition in SINGLE_COLUMN_INDEXES
            ],
        ),
    ]
