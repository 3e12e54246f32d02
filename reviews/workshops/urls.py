from django.urls import path

from . import views

urlpatterns = [
    path("workshops/", views.workshop_list, name="workshop_list"),
    path("workshops/<id:pk>/", views.workshop_board, name="workshop_board"),
    path("workshops/<id:pk>/board/", views.workshop_board_fragment, name="workshop_board_fragment"),
    path("workshops/<id:pk>/cards/", views.workshop_add_card, name="workshop_add_card"),
    path("workshops/<id:pk>/cards/<id:harm>/rate/", views.card_rate, name="card_rate"),
    path("workshops/<id:pk>/cards/<id:harm>/vote/", views.card_vote, name="card_vote"),
    path(
        "workshops/<id:pk>/consequences/",
        views.workshop_add_consequence,
        name="workshop_add_consequence",
    ),
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
    path("consequences/<id:pk>/sort/", views.consequence_sort, name="consequence_sort"),
    path("consequences/<id:pk>/harm/", views.consequence_to_harm, name="consequence_to_harm"),
]
