"""Read-only admin: runs, verdicts and datasets are evidence; gates change through the
pages and the API so that every change reaches the event log."""

from django.contrib import admin

from orgs.ledger.admin import ReadOnlyAdmin

from .models import AuditRun, Dataset, GateVerdict, LaunchGate


@admin.register(Dataset)
class DatasetAdmin(ReadOnlyAdmin):
    list_display = ["name", "organization", "format", "size_bytes", "sha256", "created_at"]
    list_filter = ["format", "organization"]
    search_fields = ["name", "sha256"]


class VerdictInline(admin.TabularInline):
    model = GateVerdict
    extra = 0
    can_delete = False
    readonly_fields = ["gate", "verdict", "value", "ci_low", "ci_high", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AuditRun)
class AuditRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "review", "dataset", "status", "progress", "parts", "finished_at"]
    list_filter = ["status"]
    exclude = ["result"]
    inlines = [VerdictInline]


@admin.register(LaunchGate)
class LaunchGateAdmin(ReadOnlyAdmin):
    list_display = ["metric", "sensitive_feature", "comparator", "threshold", "action", "review"]
    list_filter = ["metric", "action"]


@admin.register(GateVerdict)
class GateVerdictAdmin(ReadOnlyAdmin):
    list_display = ["run", "gate", "verdict", "value", "created_at"]
    list_filter = ["verdict"]
