from django.urls import path

from . import views

# The board itself, its poll and the writes made on it are reviews/board/urls.py.
urlpatterns = [
    path("workshops/", views.workshop_list, name="workshop_list"),
    path(
        "workshops/<id:pk>/stakeholders/",
        views.workshop_add_stakeholder,
        name="workshop_add_stakeholder",
    ),
    path("workshops/<id:pk>/control/", views.workshop_control, name="workshop_control"),
    path("workshops/<id:pk>/edit/", views.workshop_edit, name="workshop_edit"),
    path("workshops/<id:pk>/invitations/", views.workshop_invite, name="workshop_invite"),
    path("invitations/<id:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/<id:pk>/edit/", views.invitation_edit, name="invitation_edit"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
