"""The audit trail cannot be rewritten or bypassed."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from accounts.models import User
from familysupport.lib import audit
from familysupport.lib.audit import AuditBypassError
from familysupport.lib.models import AuditEntry


@pytest.mark.django_db
def test_update_on_the_audit_table_is_refused_by_the_database(advocate):
    audit.record(action="test.thing.done", actor=advocate)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE accounts_auditentry SET action = 'rewritten'")


@pytest.mark.django_db
def test_delete_on_the_audit_table_is_refused_by_the_database(advocate):
    audit.record(action="test.thing.done", actor=advocate)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.filter(action="test.thing.done").exists()


@pytest.mark.django_db
def test_bulk_writes_on_audited_models_are_refused(advocate):
    with pytest.raises(AuditBypassError):
        User.objects.filter(pk=advocate.pk).update(full_name="Sneaky")
    with pytest.raises(AuditBypassError):
        User.objects.bulk_update([advocate], ["full_name"])
    advocate.refresh_from_db()
    assert advocate.full_name != "Sneaky"


@pytest.mark.django_db
def test_bulk_load_is_allowed_only_inside_its_block_and_is_itself_recorded(advocate):
    with audit.bulk_load(reason="demo"):
        User.objects.filter(pk=advocate.pk).update(full_name="Loaded")
    assert AuditEntry.objects.filter(action="system.bulk_load.demo").exists()
    with pytest.raises(AuditBypassError):
        User.objects.filter(pk=advocate.pk).update(full_name="Again")


@pytest.mark.django_db
def test_every_audited_model_uses_the_refusing_manager():
    from django.apps import apps

    audited = [m for m in apps.get_models() if issubclass(m, audit.AuditedModel)]
    assert User in audited
    for model in audited:
        assert isinstance(model._default_manager.all(), audit.AuditedQuerySet), model


@pytest.mark.django_db
def test_changes_record_field_names_but_not_sensitive_values(advocate):
    advocate.full_name = "A Different Name"
    advocate.save()
    entry = AuditEntry.objects.filter(action="accounts.user.updated").latest("at")
    assert entry.changed_fields == ["full_name"]
    assert "A Different Name" not in str(entry.changes)


@pytest.mark.django_db
def test_a_read_entry_is_one_plain_insert_with_every_field(advocate, supervisor):
    """Every detail page writes one: a single INSERT, no RETURNING, no other statement."""
    from django.contrib.contenttypes.models import ContentType
    from django.test.utils import CaptureQueriesContext

    ContentType.objects.get_for_model(User)  # cached per process, as in a warm worker
    with CaptureQueriesContext(connection) as ctx:
        audit.record(
            action="accounts.user.viewed",
            obj=supervisor,
            actor=advocate,
            changes={"filter": {"q": ["a\x00b"]}},
        )
    [insert] = [q["sql"] for q in ctx.captured_queries]
    assert insert.startswith('INSERT INTO "accounts_auditentry"')
    assert "RETURNING" not in insert.upper()
    entry = AuditEntry.objects.get(action="accounts.user.viewed")
    assert (entry.actor, entry.actor_label, entry.object_id) == (
        advocate,
        advocate.email,
        str(supervisor.pk),
    )
    assert entry.content_type == ContentType.objects.get_for_model(User)
    assert entry.changes == {"filter": {"q": ["ab"]}}  # jsonb holds no NUL
    assert entry.changed_fields == [] and entry.at is not None
