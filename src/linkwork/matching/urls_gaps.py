from django.urls import path

from linkwork.matching import gap_views as views

urlpatterns = [
    path("people/<int:person_id>/gaps/new/", views.gap_record, name="gap_record"),
    path("gaps/", views.gap_list, name="gap_list"),
]
