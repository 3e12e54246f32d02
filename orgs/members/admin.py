from django.contrib import admin

from orgs.ledger.admin import ReadOnlyAdmin

from .models import MemberInvitation


@admin.register(MemberInvitation)
class MemberInvitationAdmin(ReadOnlyAdmin):
    list_display = ["organization", "email", "role", "expires_at", "accepted_at", "revoked_at"]
    exclude = ["token_hash"]
