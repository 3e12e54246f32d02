"""Read-only admin: every change goes through a service so that it reaches the event log.
The taxonomy is loaded from its JSON file (``manage.py load_harm_taxonomy``)."""

from django.contrib import admin

from orgs.ledger.admin import ReadOnlyAdmin

from .models import Harm, HarmCategory, Mitigation, Rating, Stakeholder, Vote


@admin.register(Stakeholder)
class StakeholderAdmin(ReadOnlyAdmin):
    list_display = ["name", "review", "kind", "vulnerable"]
    list_filter = ["kind", "vulnerable"]
    search_fields = ["name", "description"]


@admin.register(HarmCategory)
class HarmCategoryAdmin(ReadOnlyAdmin):
    list_display = ["name", "family_name", "slug", "order"]
    list_filter = ["family"]


@admin.register(Harm)
class HarmAdmin(ReadOnlyAdmin):
    list_display = ["title", "review", "category", "source", "status", "created_at"]
    list_filter = ["status", "source", "category__family", "category"]
    search_fields = ["title", "description"]
    exclude = ["author"]  # anonymous authors stay anonymous here too


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["harm", "severity", "likelihood", "scale", "updated_at"]
    list_filter = ["severity", "likelihood"]
    exclude = ["user"]


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = ["harm", "created_at"]
    exclude = ["user"]


@admin.register(Mitigation)
class MitigationAdmin(ReadOnlyAdmin):
    list_display = ["action", "harm", "owner", "due_date", "status", "disposition"]
    list_filter = ["status", "disposition"]
    search_fields = ["action", "harm__title"]
