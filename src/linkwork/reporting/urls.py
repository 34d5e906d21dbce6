"""Report pages and downloads, included at /reports/."""

from django.urls import path

from linkwork.reporting import views

urlpatterns = [
    path("", views.report_index, name="report_index"),
    path("commissioner/print/", views.report_commissioner_print, name="report_commissioner_print"),
    path("commissioner.pdf", views.report_commissioner_pdf, name="report_commissioner_pdf"),
    path("<slug:name>.json", views.report_json, name="report_json"),
    path("<slug:name>/", views.report_detail, name="report_detail"),
    path("<slug:name>/<slug:table_key>.csv", views.report_table_csv, name="report_table_csv"),
]
