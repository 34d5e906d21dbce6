"""Pages for the loneliness summary and the messages back to the GP and referrer."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
