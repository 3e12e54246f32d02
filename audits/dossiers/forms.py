from __future__ import annotations

from django import forms
from django.conf import settings


class PdfUploadForm(forms.Form):
    file = forms.FileField(label="Dossier PDF")

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        limit = settings.DOSSIER_MAX_VERIFY_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size / 2**20:.1f} MiB; the limit is {limit / 2**20:.0f} MiB."
            )
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        data: bytes = upload.read()
        return data


class DiffForm(forms.Form):
    a = forms.IntegerField(min_value=1, max_value=10**9, label="Earlier dossier")
    b = forms.IntegerField(min_value=1, max_value=10**9, label="Later dossier")
