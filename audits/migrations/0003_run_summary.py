"""Summary columns for audit runs: written from each finished run's result, one run at a
time (a result can take megabytes), so lists and the trend never load results again."""

from django.db import migrations, models

from audits.engine.trend import summary_of


def fill_summaries(apps, schema_editor):
    AuditRun = apps.get_model("audits", "AuditRun")
    ids = AuditRun.objects.filter(result__isnull=False).values_list("id", flat=True)
    for run_id in list(ids):
        run = AuditRun.objects.only("id", "result").get(pk=run_id)
        AuditRun.objects.filter(pk=run_id).update(summary=summary_of(run.result))


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0002_dataset_sample"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditrun",
            name="summary",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.RunPython(fill_summaries, migrations.RunPython.noop),
    ]
