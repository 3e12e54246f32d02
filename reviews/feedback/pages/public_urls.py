from django.urls import path

from . import public as public_views

# Public (no login), mounted under /f/ at the top of config/urls.py: the busiest pages are
# found first. The receipt routes come first: a channel token is never "receipt".
urlpatterns = [
    path("receipt/", public_views.status_page, name="feedback_status"),
    path("receipt/download/", public_views.status_download, name="feedback_download"),
    path("receipt/erase/", public_views.status_erase, name="feedback_erase"),
    path("<str:token>/", public_views.channel_page, name="feedback_channel"),
    path("<str:token>/summary/", public_views.channel_summary, name="feedback_summary"),
    path("<str:token>/qr.svg", public_views.channel_qr, name="feedback_qr"),
]
