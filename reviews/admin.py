from django.contrib import admin

from .models import (
    AISystem,
    ChainVerification,
    Event,
    EventChain,
    Membership,
    Organization,
    Review,
    SignOff,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "required_signoff_roles", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__username", "organization__name"]
    autocomplete_fields = ["user", "organization"]


@admin.register(AISystem)
class AISystemAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "domain", "owner", "updated_at"]
    list_filter = ["domain", "organization"]
    search_fields = ["name", "purpose", "decision_type"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["title", "system", "system_version", "status", "round", "due_date", "lead"]
    list_filter = ["status", "system__organization"]
    search_fields = ["title", "system__name"]
    # Status moves only through services (role checks, sign-offs, event log).
    readonly_fields = ["status", "round"]


@admin.register(SignOff)
class SignOffAdmin(admin.ModelAdmin):
    list_display = ["review", "round", "user", "role_at_signing", "decision", "signed_at"]
    list_filter = ["decision", "role_at_signing"]
    search_fields = ["review__title", "user__username"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Evidence is shown, never edited or deleted, not even by superusers."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = [
        "seq",
        "organization",
        "at",
        "actor_username",
        "verb",
        "object_type",
        "object_id",
    ]
    list_filter = ["verb", "object_type", "organization"]
    search_fields = ["object_id", "actor_username", "hash"]


@admin.register(EventChain)
class EventChainAdmin(ReadOnlyAdmin):
    list_display = ["organization", "length", "head_hash"]


@admin.register(ChainVerification)
class ChainVerificationAdmin(ReadOnlyAdmin):
    list_display = ["organization", "status", "intact", "checked", "requested_at", "finished_at"]
    list_filter = ["status", "intact"]
