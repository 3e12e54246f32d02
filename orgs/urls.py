from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("organization/switch/", views.switch_organization, name="switch_organization"),
    path("organization/members/", views.members, name="members"),
    path("organization/members/<int:pk>/role/", views.member_role, name="member_role"),
    path("organization/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path(
        "organization/invitations/<int:pk>/revoke/",
        views.member_invitation_revoke,
        name="member_invitation_revoke",
    ),
    path("join/<str:token>/", views.member_invitation_accept, name="member_invitation_accept"),
    path("events/", views.event_log, name="event_log"),
    path("notices/", views.notices, name="notices"),
]
