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


# --- Workshops ---------------------------------------------------------------------------

from .workshops.models import (  # noqa: E402
    Consequence,
    Harm,
    HarmCategory,
    LaunchGate,
    Mitigation,
    Rating,
    Stakeholder,
    Vote,
    Workshop,
    WorkshopInvitation,
    WorkshopParticipant,
)


class ParticipantInline(admin.TabularInline):
    model = WorkshopParticipant
    extra = 0
    raw_id_fields = ["user", "invitation"]


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "review",
        "format",
        "status",
        "current_round",
        "facilitator",
        "scheduled_at",
    ]
    list_filter = ["status", "format", "anonymous"]
    search_fields = ["title", "review__title"]
    inlines = [ParticipantInline]


@admin.register(WorkshopParticipant)
class WorkshopParticipantAdmin(admin.ModelAdmin):
    list_display = ["user", "workshop", "represents_community", "joined_at"]
    search_fields = ["user__username", "workshop__title", "represents_community"]


@admin.register(WorkshopInvitation)
class WorkshopInvitationAdmin(admin.ModelAdmin):
    list_display = [
        "workshop",
        "label",
        "represents_community",
        "expires_at",
        "revoked_at",
        "uses",
        "max_uses",
    ]
    list_filter = ["revoked_at"]
    exclude = ["token"]


@admin.register(Stakeholder)
class StakeholderAdmin(admin.ModelAdmin):
    list_display = ["name", "review", "kind", "vulnerable"]
    list_filter = ["kind", "vulnerable"]
    search_fields = ["name", "description"]


@admin.register(HarmCategory)
class HarmCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "family_name", "slug", "order"]
    list_filter = ["family"]


class MitigationInline(admin.TabularInline):
    model = Mitigation
    extra = 0
    raw_id_fields = ["owner"]


@admin.register(Harm)
class HarmAdmin(admin.ModelAdmin):
    list_display = ["title", "review", "category", "source", "status", "workshop", "created_at"]
    list_filter = ["status", "source", "category__family", "category"]
    search_fields = ["title", "description"]
    filter_horizontal = ["stakeholders"]
    inlines = [MitigationInline]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["harm", "user", "severity", "likelihood", "scale", "updated_at"]
    list_filter = ["severity", "likelihood"]


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["harm", "user", "workshop", "created_at"]


@admin.register(Consequence)
class ConsequenceAdmin(admin.ModelAdmin):
    list_display = ["text", "workshop", "intent", "valence", "disposition"]
    list_filter = ["intent", "valence", "disposition"]


@admin.register(Mitigation)
class MitigationAdmin(admin.ModelAdmin):
    list_display = ["action", "harm", "owner", "due_date", "status", "disposition"]
    list_filter = ["status", "disposition"]
    search_fields = ["action", "harm__title"]


@admin.register(LaunchGate)
class LaunchGateAdmin(admin.ModelAdmin):
    list_display = ["metric", "sensitive_feature", "comparator", "threshold", "action", "review"]
    list_filter = ["metric", "action"]


from .models import Notice  # noqa: E402


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "message", "created_at", "read_at"]
    list_filter = ["read_at"]
