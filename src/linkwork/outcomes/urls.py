from django.urls import path

from linkwork.outcomes import views

urlpatterns = [
    path(
        "episodes/<int:episode_id>/questionnaires/<slug:instrument_code>/<slug:time_point>/",
        views.measure_take,
        name="measure_take",
    ),
    path(
        "episodes/<int:episode_id>/questionnaires/<slug:instrument_code>/<slug:time_point>/skip/",
        views.measure_skip,
        name="measure_skip",
    ),
    path("episodes/<int:episode_id>/questionnaire-link/", views.measure_link_new, name="measure_link_new"),
    path("answer/<str:token>/", views.measure_answer, name="measure_answer"),
    path("alerts/<int:alert_id>/", views.alert_action, name="alert_action"),
    path("episodes/<int:episode_id>/stories/add/", views.story_add, name="story_add"),
    path("stories/<int:story_id>/", views.story_detail, name="story_detail"),
    path(
        "programmes/<int:programme_id>/questionnaires/", views.programme_schedule, name="programme_schedule"
    ),
]
