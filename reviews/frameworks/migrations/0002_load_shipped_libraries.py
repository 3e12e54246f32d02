"""Loads the framework libraries and crosswalk mappings shipped in
reviews/frameworks/libraries. Later edits to those files are loaded with
``manage.py load_frameworks``."""

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from reviews.frameworks.library import read_all
    from reviews.frameworks.store import store

    store(read_all(), apps)


class Migration(migrations.Migration):
    dependencies = [("frameworks", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
