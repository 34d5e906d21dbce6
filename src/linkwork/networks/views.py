"""Web pages for a person's network map: the picture and its table, fast entry, moving between
rings, completing the baseline, sharing with volunteers and downloading the picture."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from linkwork.core.errors import DomainError
from linkwork.core.policies import Action
from linkwork.networks import selectors, services
from linkwork.networks.choices import Ring
from linkwork.networks.ecomap import ecomap_png, ecomap_svg, ecomap_table_rows
from linkwork.networks.forms import EntryForm, QuickEntryForm
from linkwork.people.selectors import person_get
from linkwork.web.forms import add_service_errors, form_page
from linkwork.web.http import StaffRequest


def _pictures(drawn: selectors.MapPanels) -> list[str]:
    """One picture per panel, so each stays legible on a phone; they sit side by side on wider screens."""
    return [
        ecomap_svg(centre_label=drawn.centre_label, panels=[panel], forbidden_words=drawn.forbidden_words)
        for panel in selectors.ecomap_panels(drawn)
    ]


@login_required
def network_map(request: StaffRequest, person_id: int) -> HttpResponse:
    drawn = selectors.map_panels(actor=request.user, person_id=person_id)
    network_map_ = selectors.map_get(actor=request.user, person_id=person_id)
    may_edit = selectors.map_may_edit(actor=request.user, network_map=network_map_)
    form = QuickEntryForm(request.POST or None)
    if request.method == "POST" and may_edit and form.is_valid():
        try:
            services.entry_add(actor=request.user, person=network_map_.person, **form.cleaned_data)
        except DomainError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{form.cleaned_data['label']}” is on the map.")
            return redirect("network_map", person_id=person_id)
    context = {
        "person": network_map_.person,
        "network_map": network_map_,
        "pictures": _pictures(drawn),
        "rows": ecomap_table_rows(selectors.ecomap_panels(drawn), forbidden_words=drawn.forbidden_words),
        "entries": selectors.map_current(actor=request.user, person=network_map_.person) if may_edit else [],
        "may_edit": may_edit,
        "form": form,
        "rings": Ring.choices,
        "has_baseline": len(drawn.panels) > 1,
    }
    return render(request, "networks/network_map.html", context)


@login_required
@require_POST
def entry_move(request: StaffRequest, entry_id: int) -> HttpResponse:
    entry = selectors.entry_get(actor=request.user, entry_id=entry_id)
    try:
        services.entry_move(actor=request.user, entry=entry, ring=request.POST.get("ring", ""))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(reverse("network_map", args=[entry.person_id]) + f"#entry-{entry.pk}")


@login_required
def entry_edit(request: StaffRequest, entry_id: int) -> HttpResponse:
    entry = selectors.entry_get(actor=request.user, entry_id=entry_id)
    initial = {name: getattr(entry, name) for name in EntryForm.base_fields}
    form = EntryForm(request.POST or None, initial=initial)

    def save(data: dict[str, Any]) -> HttpResponse:
        services.entry_update(actor=request.user, entry=entry, **data)
        messages.success(request, f"“{data['label']}” has been saved.")
        return redirect("network_map", person_id=entry.person_id)

    return form_page(
        request, form, save, title="Change an entry", back_url=reverse("network_map", args=[entry.person_id])
    )


@login_required
@require_POST
def entry_remove(request: StaffRequest, entry_id: int) -> HttpResponse:
    entry = selectors.entry_get(actor=request.user, entry_id=entry_id)
    services.entry_remove(actor=request.user, entry=entry)
    messages.success(request, f"“{entry.label}” has been taken off the map. It shows as a lost tie.")
    return redirect("network_map", person_id=entry.person_id)


@login_required
@require_POST
def map_complete(request: StaffRequest, person_id: int) -> HttpResponse:
    person = person_get(actor=request.user, person_id=person_id, action=Action.UPDATE)
    services.map_mark_complete(actor=request.user, person=person)
    messages.success(request, "The map is saved as it is today. Later changes will be compared with it.")
    return redirect("network_map", person_id=person_id)


@login_required
@require_POST
def map_share(request: StaffRequest, person_id: int) -> HttpResponse:
    person = person_get(actor=request.user, person_id=person_id, action=Action.UPDATE)
    shared = request.POST.get("shared") == "yes"
    services.map_share_with_volunteers(actor=request.user, person=person, shared=shared)
    messages.success(
        request, "Volunteers can now see the map." if shared else "Volunteers can no longer see the map."
    )
    return redirect("network_map", person_id=person_id)


@login_required
def map_download(request: StaffRequest, person_id: int, file_type: str) -> HttpResponse:
    if file_type not in ("svg", "png"):
        raise Http404
    drawn = selectors.map_panels(
        actor=request.user, person_id=person_id, snapshot=request.GET.get("snapshot")
    )
    panels = selectors.ecomap_panels(drawn)
    if file_type == "png":
        picture: bytes | str = ecomap_png(
            centre_label=drawn.centre_label, panels=panels, forbidden_words=drawn.forbidden_words
        )
        response = HttpResponse(picture, content_type="image/png")
    else:
        picture = ecomap_svg(
            centre_label=drawn.centre_label, panels=panels, forbidden_words=drawn.forbidden_words
        )
        response = HttpResponse(picture, content_type="image/svg+xml; charset=utf-8")
    # The file name carries the first name only, like the picture.
    response["Content-Disposition"] = f'attachment; filename="network-map-{person_id}.{file_type}"'
    return response
