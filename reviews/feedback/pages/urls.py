from django.urls import path

from . import team as team_views

# The team
urlpatterns = [
    path("feedback/", team_views.organization_queue, name="feedback_org_queue"),
    path("feedback/settings/", team_views.settings_update, name="feedback_settings"),
    path("reviews/<id:pk>/feedback/", team_views.review_queue, name="feedback_review_queue"),
    path(
        "reviews/<id:pk>/feedback/channels/",
        team_views.channel_create,
        name="feedback_channel_create",
    ),
    path("reviews/<id:pk>/feedback/themes/", team_views.theme_create, name="feedback_theme_create"),
    path("reviews/<id:pk>/feedback/replies/", team_views.theme_reply, name="feedback_theme_reply"),
    path("feedback/channels/<id:pk>/", team_views.channel_detail, name="feedback_channel_detail"),
    path("feedback/submissions/<id:pk>/", team_views.submission_detail, name="feedback_submission"),
    path(
        "feedback/submissions/<id:pk>/<slug:what>/",
        team_views.submission_action,
        name="feedback_submission_action",
    ),
    path("feedback/replies/<id:pk>/delete/", team_views.reply_delete, name="feedback_reply_delete"),
]
