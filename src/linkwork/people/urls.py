from django.urls import path

from linkwork.people import views

urlpatterns = [
    path("people/", views.person_list, name="person_list"),
    path("people/new-referral/", views.intake, name="intake"),
    path("people/you-support/", views.people_supported, name="people_supported"),
    path("people/<int:person_id>/", views.person_detail, name="person_detail"),
    path("people/<int:person_id>/practical/", views.person_practical, name="person_practical"),
    path("people/<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:person_id>/consents/add/", views.consent_add, name="consent_add"),
    path("consents/<int:consent_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
]
