from django.contrib import admin

from .models import ModelCard, ModelCardVersion


@admin.register(ModelCard)
class ModelCardAdmin(admin.ModelAdmin):
    list_display = ["system", "organization", "created_at"]
    readonly_fields = ["organization", "system", "created_by", "created_at"]


@admin.register(ModelCardVersion)
class ModelCardVersionAdmin(admin.ModelAdmin):
    list_display = ["card", "number", "status", "published_at"]
    list_filter = ["status"]
    readonly_fields = ["organization", "card", "number", "status", "published_at", "analysis"]
