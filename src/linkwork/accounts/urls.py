from django.urls import path

from linkwork.accounts import views

urlpatterns = [
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/add/", views.staff_create, name="staff_create"),
    path("staff/<int:staff_id>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:staff_id>/edit/", views.staff_edit, name="staff_edit"),
    path("staff/<int:staff_id>/access/", views.staff_set_access, name="staff_set_access"),
    path("staff/<int:staff_id>/unlock/", views.staff_unlock, name="staff_unlock"),
    path(
        "staff/<int:staff_id>/two-factor-reset/", views.staff_two_factor_reset, name="staff_two_factor_reset"
    ),
    path("account/", views.account, name="account"),
    path("two-factor/set-up/", views.two_factor_set_up, name="two_factor_set_up"),
    path("two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("account/sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/<int:team_id>/delete/", views.team_delete, name="team_delete"),
    path("tokens/", views.token_list, name="token_list"),
    path("organisation/", views.organisation_settings, name="organisation_settings"),
    path("organisation/two-factor/", views.organisation_two_factor, name="organisation_two_factor"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
