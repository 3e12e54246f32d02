from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import ModelCard, ModelCardVersion


@admin.register(ModelCard)
class ModelCardAdmin(admin.ModelAdmin):
    list_display = ["system", "organization", "created_at"]
    readonly_fields = ["organization", "system", "created_by", "created_at"]


@admin.register(ModelCardVersion)
class ModelCardVersionAdmin(admin.ModelAdmin):
    """Read-only: versions change through the services, which keep published ones frozen
    and record every change in the event log."""

    list_display = ["card", "number", "status", "published_at"]
    list_filter = ["status"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
