"""Pages for importing referrals from a spreadsheet."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
