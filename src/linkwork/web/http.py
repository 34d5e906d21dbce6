"""Request types for code that runs only for signed-in staff (after login_required or API auth)."""

from __future__ import annotations

from django.http import HttpRequest

from linkwork.accounts.models import User


class StaffRequest(HttpRequest):
    user: User  # login_required has run
    auth: User  # set by the API's authentication classes
