from django.urls import path

from . import views

urlpatterns = [
    path("workshops/", views.workshop_list, name="workshop_list"),
    path("workshops/<int:pk>/", views.workshop_board, name="workshop_board"),
    path(
        "workshops/<int:pk>/board/", views.workshop_board_fragment, name="workshop_board_fragment"
    ),
    path("workshops/<int:pk>/cards/", views.workshop_add_card, name="workshop_add_card"),
    path("workshops/<int:pk>/cards/<int:harm>/rate/", views.card_rate, name="card_rate"),
    path("workshops/<int:pk>/cards/<int:harm>/vote/", views.card_vote, name="card_vote"),
    path(
        "workshops/<int:pk>/consequences/",
        views.workshop_add_consequence,
        name="workshop_add_consequence",
    ),
    path(
        "workshops/<int:pk>/stakeholders/",
        views.workshop_add_stakeholder,
        name="workshop_add_stakeholder",
    ),
    path("workshops/<int:pk>/control/", views.workshop_control, name="workshop_control"),
    path("workshops/<int:pk>/invitations/", views.workshop_invite, name="workshop_invite"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("consequences/<int:pk>/sort/", views.consequence_sort, name="consequence_sort"),
]
