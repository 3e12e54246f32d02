"""Each locale of the feedback portal is complete: every msgid of the public templates and
of the Python that feeds them is translated, none is fuzzy, and the compiled .mo files say
the same as the .po files."""

from __future__ import annotations

import gettext
import shutil
import subprocess
from pathlib import Path

import polib
import pytest

APP = Path(__file__).resolve().parents[2] / "reviews" / "feedback"
LOCALES = ["es", "fr", "ar"]


def _po(language: str) -> polib.POFile:
    return polib.pofile(str(APP / "locale" / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", LOCALES)
def test_every_msgid_is_translated_and_none_is_fuzzy(language):
    po = _po(language)
    assert po.untranslated_entries() == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert not po.metadata_is_fuzzy
    assert po.percent_translated() == 100


@pytest.mark.parametrize("language", LOCALES)
def test_the_compiled_catalogue_matches_the_po_file(language):
    mo = APP / "locale" / language / "LC_MESSAGES" / "django.mo"
    with mo.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    for entry in _po(language).translated_entries():
        if entry.msgid_plural:
            assert catalogue.ngettext(entry.msgid, entry.msgid_plural, 1) in (
                entry.msgstr_plural.values()
            )
        else:
            assert catalogue.gettext(entry.msgid) == entry.msgstr, entry.msgid


def test_the_po_files_hold_every_msgid_of_the_templates_and_code(tmp_path):
    """Extract the msgids afresh (makemessages, in a copy of the app) and compare: a new
    string in a template fails here until it is translated in every locale."""
    if shutil.which("xgettext") is None:
        pytest.skip("gettext is not installed (apt-get install gettext)")
    copy = tmp_path / "feedback"
    shutil.copytree(APP, copy, ignore=shutil.ignore_patterns("locale", "__pycache__"))
    (copy / "locale").mkdir()
    django_admin = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "django-admin"
    command = [str(django_admin) if django_admin.exists() else "django-admin"]
    subprocess.run(
        [*command, "makemessages", "-l", "es", "--no-location"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    fresh = {e.msgid for e in polib.pofile(str(copy / "locale/es/LC_MESSAGES/django.po"))}
    for language in LOCALES:
        translated = {e.msgid for e in _po(language).translated_entries()}
        assert sorted(fresh - translated) == [], language
