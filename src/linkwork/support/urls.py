from django.urls import path

from linkwork.support import views

urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("team/", views.team_caseloads, name="team_caseloads"),
    path("episodes/<int:episode_id>/", views.episode_detail, name="episode_detail"),
    path("episodes/<int:episode_id>/assign/", views.episode_assign, name="episode_assign"),
    path("episodes/<int:episode_id>/pause/", views.episode_pause, name="episode_pause"),
    path("episodes/<int:episode_id>/resume/", views.episode_resume, name="episode_resume"),
    path("episodes/<int:episode_id>/extension/", views.extension_request, name="extension_request"),
    path("episodes/<int:episode_id>/plan-ending/", views.episode_plan_ending, name="episode_plan_ending"),
    path("episodes/<int:episode_id>/close/", views.episode_close, name="episode_close"),
    path("episodes/<int:episode_id>/follow-up/", views.episode_follow_up, name="episode_follow_up"),
    path("episodes/<int:episode_id>/conversation/", views.conversation_record, name="conversation_record"),
    path("episodes/<int:episode_id>/goals/add/", views.goal_add, name="goal_add"),
    path("episodes/<int:episode_id>/contacts/add/", views.contact_add, name="contact_add"),
    path("episodes/<int:episode_id>/budget/", views.budget, name="episode_budget"),
    path("goals/<int:goal_id>/", views.goal_update, name="goal_update"),
    path("extensions/<int:extension_id>/", views.extension_decide, name="extension_decide"),
    path("meetups/add/", views.meetup_add, name="meetup_add"),
    path("programmes/", views.programme_list, name="programme_list"),
]
