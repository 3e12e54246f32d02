from django.contrib import admin

from .models import AuditRun, Dataset, GateVerdict


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "format", "size_bytes", "sha256", "created_at"]
    list_filter = ["format", "organization"]
    search_fields = ["name", "sha256"]


class VerdictInline(admin.TabularInline):
    model = GateVerdict
    extra = 0
    readonly_fields = ["gate", "verdict", "value", "ci_low", "ci_high", "reason"]


@admin.register(AuditRun)
class AuditRunAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "review",
        "dataset",
        "status",
        "progress",
        "parts",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status"]
    exclude = ["result"]
    inlines = [VerdictInline]


@admin.register(GateVerdict)
class GateVerdictAdmin(admin.ModelAdmin):
    list_display = ["run", "gate", "verdict", "value", "created_at"]
    list_filter = ["verdict"]
