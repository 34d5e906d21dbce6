from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from linkwork.audit.forms import AuditFilterForm
from linkwork.audit.models import AuditEvent
from linkwork.audit.selectors import audit_event_list
from linkwork.core.policies import Action, authorize
from linkwork.web.http import StaffRequest

PAGE_SIZE = 50


@login_required
@require_GET
def audit_log(request: StaffRequest) -> HttpResponse:
    authorize(request.user, Action.VIEW, AuditEvent)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = audit_event_list(actor=request.user, **{key: value for key, value in filters.items() if value})
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/audit_log.html", {"form": form, "page": page, "query": query.urlencode()})
