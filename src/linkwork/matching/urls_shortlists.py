from django.urls import path

from linkwork.matching import shortlist_views as views

urlpatterns = [
    path("people/<int:person_id>/shortlist/", views.shortlist_detail, name="shortlist_detail"),
    path("people/<int:person_id>/shortlist/add/", views.shortlist_add, name="shortlist_add"),
    path("people/<int:person_id>/shortlist/print/", views.shortlist_print, name="shortlist_print"),
    path("people/<int:person_id>/shortlist/link/", views.shortlist_link, name="shortlist_link"),
    path("s/<str:token>/", views.shortlist_public, name="shortlist_public"),
]
