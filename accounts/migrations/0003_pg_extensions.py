from django.contrib.postgres.operations import BtreeGinExtension, TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    """Extensions later apps rely on (trigram search for duplicate families, GIN indexes)."""

    dependencies = [("accounts", "0002_audit_append_only")]
    operations = [TrigramExtension(), BtreeGinExtension()]
