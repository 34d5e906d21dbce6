from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from linkwork.outcomes.selectors import alerts_waiting
from linkwork.web.http import StaffRequest
from linkwork.web.navigation import navigation_for


@login_required
def home(request: StaffRequest) -> HttpResponse:
    """Each role's entry points, from the same list that drives the navigation."""
    roles = sorted(request.user.roles, key=lambda role: role.label)
    context = {
        "roles": roles,
        "destinations": navigation_for(request),
        "alerts": alerts_waiting(actor=request.user),
    }
    return render(request, "web/home.html", context)


def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and monitoring: the process answers. It reads nothing, so it says nothing
    about the database (the load benchmark uses it as its baseline)."""
    return HttpResponse("ok", content_type="text/plain")
