from django.urls import path

from . import public as public_views
from . import team as team_views

urlpatterns = [
    # Public (no login): the receipt routes come first, a channel token is never "receipt".
    path("f/receipt/", public_views.status_page, name="feedback_status"),
    path("f/receipt/download/", public_views.status_download, name="feedback_download"),
    path("f/receipt/erase/", public_views.status_erase, name="feedback_erase"),
    path("f/<str:token>/", public_views.channel_page, name="feedback_channel"),
    path("f/<str:token>/summary/", public_views.channel_summary, name="feedback_summary"),
    path("f/<str:token>/qr.svg", public_views.channel_qr, name="feedback_qr"),
    # The team
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
