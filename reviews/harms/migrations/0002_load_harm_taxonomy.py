from django.db import migrations


def load(apps, schema_editor):
    from reviews.harms.taxonomy import load_taxonomy

    load_taxonomy(apps.get_model("harms", "HarmCategory"))


class Migration(migrations.Migration):
    dependencies = [("harms", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
