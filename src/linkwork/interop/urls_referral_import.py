"""Pages for importing referrals from a spreadsheet."""

from django.urls import URLPattern, path

from linkwork.interop import referral_import_views as views

urlpatterns: list[URLPattern] = [
    path("referrals/import/", views.referral_import, name="referral_import"),
    path("referrals/import/confirm/", views.referral_import_confirm, name="referral_import_confirm"),
    path("referrals/import/template.csv", views.referral_import_template, name="referral_import_template"),
]
