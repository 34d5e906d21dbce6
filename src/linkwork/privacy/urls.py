"""Pages for subject access, erasure and retention."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
