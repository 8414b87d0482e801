"""Audit entries become a hash chain: a gapless number, the previous entry's hash and their own.

Entries written before the chain (development databases only; nothing had shipped) are numbered and hashed
here in id order, so that `qadam audit verify` accepts them. The hash is the one of qadam/audit/chain.py,
copied so that this migration keeps working whatever that module becomes (tests/test_audit.py checks the
two agree).
"""

import hashlib
import json
from datetime import UTC

import django.utils.timezone
from django.db import migrations, models

BATCH = 1000


def entry_hash(entry, prev_hash):
    content = [
        "qadam-audit-1",
        entry.seq,
        entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        entry.actor_id,
        entry.agency_id,
        entry.action,
        entry.target_type,
        entry.target_id,
        entry.changes,
        prev_hash,
    ]
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()


def chain_existing_entries(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:  # the append-only trigger of 0002 refuses the UPDATE, rightly, everywhere but here
        schema_editor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
    seq, prev_hash, last_id = 0, "", 0
    while batch := list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:BATCH]):
        for entry in batch:
            seq += 1
            entry.seq, entry.prev_hash = seq, prev_hash
            entry.hash = prev_hash = entry_hash(entry, prev_hash)
        AuditEntry.objects.bulk_update(batch, ["seq", "prev_hash", "hash"])
        last_id = batch[-1].id
    if postgres:
        schema_editor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, null=True, verbose_name="number in the chain"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="hash of the previous entry"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
        # The time is part of what is hashed, so it is set before hashing rather than by the save.
        migrations.AlterField(
            model_name="auditentry",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, editable=False, verbose_name="when"
            ),
        ),
        migrations.RunPython(chain_existing_entries, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, unique=True, verbose_name="number in the chain"),
        ),
    ]
