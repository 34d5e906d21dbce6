"""Pages where an organisation admin manages webhooks."""

from django.urls import path

from linkwork.webhooks import views

urlpatterns = [
    path("", views.webhook_list, name="webhook_list"),
    path("add/", views.webhook_create, name="webhook_create"),
    path("<int:webhook_id>/", views.webhook_detail, name="webhook_detail"),
    path("<int:webhook_id>/pause/", views.webhook_pause, name="webhook_pause"),
    path("<int:webhook_id>/resume/", views.webhook_resume, name="webhook_resume"),
    path("<int:webhook_id>/rotate-secret/", views.webhook_rotate_secret, name="webhook_rotate_secret"),
    path("<int:webhook_id>/test/", views.webhook_send_test, name="webhook_send_test"),
    path("<int:webhook_id>/delete/", views.webhook_delete, name="webhook_delete"),
    path(
        "<int:webhook_id>/deliveries/<int:delivery_id>/retry/",
        views.delivery_retry,
        name="webhook_delivery_retry",
    ),
]
