"""Read-only admin: every change goes through a service so that it reaches the event log."""

from django.contrib import admin

from orgs.ledger.admin import ReadOnlyAdmin

from .models import BoardCard, Consequence, Workshop, WorkshopInvitation, WorkshopParticipant


@admin.register(Workshop)
class WorkshopAdmin(ReadOnlyAdmin):
    list_display = ["title", "review", "format", "status", "current_round", "facilitator"]
    list_filter = ["status", "format", "anonymous"]
    search_fields = ["title", "review__title"]


@admin.register(WorkshopParticipant)
class WorkshopParticipantAdmin(ReadOnlyAdmin):
    list_display = ["user", "workshop", "represents_community", "joined_at"]
    search_fields = ["user__username", "workshop__title", "represents_community"]


@admin.register(WorkshopInvitation)
class WorkshopInvitationAdmin(ReadOnlyAdmin):
    list_display = ["workshop", "label", "represents_community", "expires_at", "uses", "max_uses"]
    list_filter = ["revoked_at"]
    exclude = ["token"]


@admin.register(BoardCard)
class BoardCardAdmin(ReadOnlyAdmin):
    list_display = ["harm", "workshop", "created_at"]


@admin.register(Consequence)
class ConsequenceAdmin(ReadOnlyAdmin):
    list_display = ["text", "workshop", "intent", "valence", "disposition"]
    list_filter = ["intent", "valence", "disposition"]
    exclude = ["author"]
