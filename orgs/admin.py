"""The admin shows organization data read-only: every change goes through a service (the
pages, the API or a management command) so that it is checked and reaches the event log."""

from django.contrib import admin

from .ledger.admin import ReadOnlyAdmin
from .models import Membership, Notice, Organization


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    can_delete = False
    readonly_fields = ["user", "role", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    list_display = ["name", "slug", "required_signoff_roles", "created_at"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__username", "organization__name"]


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["user", "organization", "message", "created_at", "read_at"]
    list_filter = ["read_at"]
