"""Read-only admin: every change goes through a service so that it reaches the event log."""

from django.contrib import admin

from orgs.ledger.admin import ReadOnlyAdmin

from .models import AISystem, Review, RiskAcceptance, SignOff


@admin.register(AISystem)
class AISystemAdmin(ReadOnlyAdmin):
    list_display = ["name", "organization", "domain", "owner", "updated_at"]
    list_filter = ["domain", "organization"]
    search_fields = ["name", "purpose", "decision_type"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["title", "system", "system_version", "status", "round", "due_date", "lead"]
    list_filter = ["status", "organization"]
    search_fields = ["title", "system__name"]


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    list_display = ["review", "round", "user", "role_at_signing", "decision", "signed_at"]
    list_filter = ["decision", "role_at_signing"]
    search_fields = ["review__title", "user__username"]


@admin.register(RiskAcceptance)
class RiskAcceptanceAdmin(ReadOnlyAdmin):
    list_display = [
        "target_label",
        "review",
        "accepted_by",
        "accepted_at",
        "expires_on",
        "revoked_at",
    ]
    list_filter = ["target_type", "organization"]
    search_fields = ["target_label", "justification", "review__title"]
