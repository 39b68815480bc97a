from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The cache lives in PostgreSQL (Redis is only the broker); create its table with
    # the schema so tests and fresh installs never miss it.
    call_command("createcachetable", verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_pg_extensions")]
    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
