from django.contrib import admin

from .models import FeedbackChannel, FeedbackTheme, Submission


@admin.register(FeedbackChannel)
class FeedbackChannelAdmin(admin.ModelAdmin):
    list_display = ["title", "review", "status", "created_at"]
    exclude = ["token"]


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    # Contact details have no admin page: they are read only where the policy allows.
    list_display = ["id", "review", "status", "language", "created_at"]
    list_filter = ["status", "language"]
    readonly_fields = ["receipt_hash", "text_hash"]


admin.site.register(FeedbackTheme)
