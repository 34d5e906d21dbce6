"""The directory's pages, included under /directory/: public pages first, then the staff pages under
/directory/manage/."""

from django.urls import path

from linkwork.directory import public_views, views

urlpatterns = [
    # Public, without sign-in.
    path("", public_views.directory_search, name="directory_search"),
    path("suggest/", public_views.suggest, name="directory_suggest"),
    path("suggest/sent/", public_views.suggest_sent, name="directory_suggest_sent"),
    path("services/<uuid:service_id>/", public_views.directory_entry, name="directory_entry"),
    path("services/<uuid:service_id>/report/", public_views.report_problem, name="directory_report"),
    path("services/<uuid:service_id>/report/sent/", public_views.report_sent, name="directory_report_sent"),
    path("services/<uuid:service_id>/claim/", public_views.claim_listing, name="directory_claim"),
    path("services/<uuid:service_id>/claim/sent/", public_views.claim_sent, name="directory_claim_sent"),
    # Staff.
    path("manage/", views.work_queue, name="directory_work_queue"),
    path("manage/services/", views.manage_search, name="directory_manage_search"),
    path("manage/services/new/", views.manage_new, name="directory_manage_new"),
    path("manage/services/<uuid:service_id>/", views.manage_entry, name="directory_manage_entry"),
    path("manage/services/<uuid:service_id>/edit/", views.manage_edit, name="directory_manage_edit"),
    path(
        "manage/services/<uuid:service_id>/edit/location/",
        views.manage_location,
        name="directory_manage_location",
    ),
    path(
        "manage/services/<uuid:service_id>/edit/schedules/",
        views.manage_schedule_add,
        name="directory_manage_schedule_add",
    ),
    path(
        "manage/services/<uuid:service_id>/edit/schedules/<uuid:schedule_id>/remove/",
        views.manage_schedule_remove,
        name="directory_manage_schedule_remove",
    ),
    path(
        "manage/services/<uuid:service_id>/edit/closures/",
        views.manage_closure_add,
        name="directory_manage_closure_add",
    ),
    path(
        "manage/services/<uuid:service_id>/edit/closures/<int:closure_id>/remove/",
        views.manage_closure_remove,
        name="directory_manage_closure_remove",
    ),
    path(
        "manage/services/<uuid:service_id>/<slug:action>/",
        views.manage_action,
        name="directory_manage_action",
    ),
    path("manage/problems/<int:report_id>/", views.manage_problem, name="directory_manage_problem"),
    path("manage/claims/<int:claim_id>/", views.manage_claim, name="directory_manage_claim"),
]
