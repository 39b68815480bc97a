from django.db import migrations

# The append-only trigger (accounts 0002) fires on rows; TRUNCATE removes rows without
# firing them, so a statement-level trigger refuses it too. The owner could still disable
# triggers: that is why the application connects as a role that owns nothing (db_roles.py).
SQL = """
CREATE TRIGGER accounts_auditentry_no_truncate
    BEFORE TRUNCATE ON accounts_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only();
"""

REVERSE = "DROP TRIGGER IF EXISTS accounts_auditentry_no_truncate ON accounts_auditentry;"


class Migration(migrations.Migration):
    dependencies = [("lib", "0001_initial")]
    operations = [migrations.RunSQL(SQL, REVERSE)]
