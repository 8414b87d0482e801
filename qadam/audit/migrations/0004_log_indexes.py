"""Indexes for the two ways the log is read: a record's history and an agency's log, newest (highest id)
first. The agency's own foreign-key index is dropped: (agency, -id) serves the same lookups."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_agencies_and_users"),
        ("audit", "0003_tamper_evident_chain"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="auditentry", name="audit_target"),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["target_type", "target_id", "-id"], name="audit_target_newest"),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(fields=["agency", "-id"], name="audit_agency_newest"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="agency",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.agency",
                verbose_name="agency",
            ),
        ),
    ]
