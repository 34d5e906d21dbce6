"""Pages for the loneliness summary and the messages back to the GP and referrer."""

from django.urls import path

from linkwork.interop import summary_views as views

urlpatterns = [
    path("episodes/<int:episode_id>/loneliness-summary/", views.summary_page, name="summary_page"),
    path("episodes/<int:episode_id>/loneliness-summary.pdf", views.summary_pdf, name="summary_pdf"),
    path("episodes/<int:episode_id>/loneliness-summary/share/", views.summary_share, name="summary_share"),
    path(
        "referrals/<int:referral_id>/messages/received/",
        views.message_acknowledge,
        name="message_acknowledge",
    ),
    path(
        "referrals/<int:referral_id>/letters/<int:message_id>/letter.pdf",
        views.message_pdf,
        name="message_pdf",
    ),
    path(
        "referrals/<int:referral_id>/letters/<int:message_id>/fhir.json",
        views.message_fhir,
        name="message_fhir",
    ),
]
