from django.contrib import admin

from .models import Dossier


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    """Read-only: an export never changes (a new one is a new number)."""

    list_display = ["review", "number", "status", "exported_by", "exported_at", "sha256"]
    list_filter = ["status", "development_key"]
    search_fields = ["review__title", "sha256", "signer_subject"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
