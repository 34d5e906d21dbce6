from django.urls import path

from linkwork.matching import views

urlpatterns = [
    path(
        "people/<int:person_id>/recommendations/", views.person_recommendations, name="person_recommendations"
    ),
]
