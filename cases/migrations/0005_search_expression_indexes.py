"""Expression indexes for the searches at scale (250,000 families, 300,000 cases).

Django compiles `icontains` to UPPER(col) LIKE UPPER('%…%') and `iexact` to
UPPER(col) = UPPER(…): the plain trigram and b-tree indexes cannot serve those, so the
duplicate-family search and the case list search read every row. Built CONCURRENTLY (no
write lock on the families and cases tables while they build).
"""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("cases", "0004_contact_report_indexes"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="family",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("contact_name"), name="gin_trgm_ops"
                ),
                name="family_contact_upper_trgm",
            ),
        ),
        AddIndexConcurrently(
            model_name="family",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("display_name"), name="gin_trgm_ops"
                ),
                name="family_name_upper_trgm",
            ),
        ),
        AddIndexConcurrently(
            model_name="case",
            index=models.Index(
                django.db.models.functions.text.Upper("external_case_number"),
                name="case_external_number_upper",
            ),
        ),
    ]
