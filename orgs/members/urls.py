from django.urls import path

from . import views

urlpatterns = [
    path("organization/members/", views.members, name="members"),
    path("organization/members/<id:pk>/role/", views.member_role, name="member_role"),
    path("organization/members/<id:pk>/remove/", views.member_remove, name="member_remove"),
    path(
        "organization/invitations/<id:pk>/revoke/",
        views.member_invitation_revoke,
        name="member_invitation_revoke",
    ),
    path("join/<str:token>/", views.member_invitation_accept, name="member_invitation_accept"),
]
