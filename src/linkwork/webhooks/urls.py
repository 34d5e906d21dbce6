"""Pages where an organisation admin manages webhooks."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
