from django.urls import path

from linkwork.referrals import views

urlpatterns = [
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/<int:referral_id>/", views.referral_detail, name="referral_detail"),
    path("referrals/<int:referral_id>/attempts/", views.attempt_add, name="referral_attempt_add"),
    path("referrals/<int:referral_id>/accept/", views.referral_accept, name="referral_accept"),
    path("referrals/<int:referral_id>/decline/", views.referral_decline, name="referral_decline"),
    path("referrals/<int:referral_id>/unable-to-contact/", views.referral_unable, name="referral_unable"),
    path(
        "referrals/<int:referral_id>/not-appropriate/",
        views.referral_not_appropriate,
        name="referral_not_appropriate",
    ),
    path(
        "referrals/<int:referral_id>/letters/<int:message_id>/", views.outcome_letter, name="outcome_letter"
    ),
    path("refer/<slug:organisation_slug>/", views.self_referral, name="self_referral"),
]
