from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import ChainVerification, Event, EventChain


class ReadOnlyAdmin(admin.ModelAdmin):
    """Evidence is shown, never added, edited or deleted here, not even by superusers:
    every change goes through a service so that it reaches the event log."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "organization", "at", "actor_username", "verb", "object_type"]
    list_filter = ["verb", "object_type", "organization"]
    search_fields = ["object_id", "actor_username", "hash"]


@admin.register(EventChain)
class EventChainAdmin(ReadOnlyAdmin):
    list_display = ["organization", "length", "head_hash"]


@admin.register(ChainVerification)
class ChainVerificationAdmin(ReadOnlyAdmin):
    list_display = ["organization", "status", "intact", "checked", "requested_at", "finished_at"]
    list_filter = ["status", "intact"]
