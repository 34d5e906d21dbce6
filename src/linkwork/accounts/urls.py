from django.urls import path

from linkwork.accounts import views

urlpatterns = [
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/add/", views.staff_create, name="staff_create"),
    path("staff/<int:staff_id>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:staff_id>/edit/", views.staff_edit, name="staff_edit"),
    path("staff/<int:staff_id>/access/", views.staff_set_access, name="staff_set_access"),
    path("staff/<int:staff_id>/unlock/", views.staff_unlock, name="staff_unlock"),
    path("account/", views.account, name="account"),
    path("account/sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/<int:team_id>/delete/", views.team_delete, name="team_delete"),
    path("tokens/", views.token_list, name="token_list"),
    path("organisation/", views.organisation_settings, name="organisation_settings"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
