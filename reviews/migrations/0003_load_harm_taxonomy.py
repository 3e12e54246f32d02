from django.db import migrations


def load(apps, schema_editor):
    from reviews.workshops.taxonomy import load_taxonomy

    load_taxonomy(apps.get_model("reviews", "HarmCategory"))


class Migration(migrations.Migration):
    dependencies = [("reviews", "0002_workshops")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
