from django.urls import path

from linkwork.matching import connection_views as views

urlpatterns = [
    path("people/<int:person_id>/connections/new/", views.connection_create, name="connection_create"),
    path("connections/<int:connection_id>/", views.connection_detail, name="connection_detail"),
    path(
        "connections/<int:connection_id>/provider-link/",
        views.connection_provider_link,
        name="connection_provider_link",
    ),
    path("connections/<int:connection_id>/<str:action>/", views.connection_action, name="connection_action"),
    path("confirm/<str:token>/", views.provider_confirm, name="provider_confirm"),
]
