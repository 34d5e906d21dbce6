"""Pages for subject access, erasure and retention."""

from django.urls import path

from linkwork.privacy import views

urlpatterns = [
    path("privacy/", views.privacy_home, name="privacy_home"),
    path("privacy/retention/", views.retention_edit, name="privacy_retention"),
    path("privacy/people/<int:person_id>/", views.person_rights, name="person_rights"),
    path(
        "privacy/people/<int:person_id>/download/",
        views.person_export_download,
        name="person_export_download",
    ),
    path("privacy/people/<int:person_id>/erase/", views.person_erase, name="person_erase"),
]
