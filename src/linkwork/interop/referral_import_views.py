"""Pages for importing referrals from a spreadsheet: the template, a check of the file, then the import.

The file is checked (a dry run) when uploaded; the page shows every problem and what would be
imported. Importing sends the same file back (in the confirmation form, so nothing is kept on the
server in between) and it is checked again as it is imported.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from linkwork.accounts.models import Organisation
from linkwork.core.errors import PermissionDenied
from linkwork.core.policies import Action, can
from linkwork.interop.referral_import import (
    COLUMNS,
    MAX_UPLOAD_BYTES,
    ReferralImportReport,
    authorise_import,
    import_referrals,
    template_csv,
)
from linkwork.referrals.models import Referral, ReferralSource, Urgency
from linkwork.web.http import StaffRequest

TEMPLATE_NAME = "linkwork-referrals-template.csv"
TOO_LARGE = f"The file must be smaller than {MAX_UPLOAD_BYTES // 1024:,} KB: split it into smaller files."


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a CSV file",
        help_text="Saved from your spreadsheet as CSV (UTF-8), with the template's header row.",
        error_messages={"required": "Choose the CSV file to check.", "empty": "The file is empty."},
    )
    skip_invalid = forms.BooleanField(
        label="Import the rows without problems and leave out the others", required=False
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(TOO_LARGE)
        return upload


class ConfirmForm(forms.Form):
    content = forms.CharField(widget=forms.HiddenInput)
    file_name = forms.CharField(widget=forms.HiddenInput, max_length=200)
    skip_invalid = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def clean_content(self) -> bytes:
        try:
            data = base64.b64decode(self.cleaned_data["content"], validate=True)
        except (binascii.Error, ValueError):
            raise forms.ValidationError("The file was not sent back whole.") from None
        if len(data) > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(TOO_LARGE)
        return data


def _authorise(request: StaffRequest) -> Organisation:
    organisation = request.user.organisation
    if organisation is None:
        raise PermissionDenied()
    authorise_import(request.user, organisation)
    return organisation


def _no_store(response: HttpResponse) -> HttpResponse:
    # The pages carry people's details from the file: not for the browser's cache.
    response["Cache-Control"] = "no-store"
    return response


def _start_page(request: StaffRequest, form: UploadForm) -> HttpResponse:
    context = {
        "form": form,
        "columns": COLUMNS,
        "sources": ReferralSource.choices,
        "urgencies": Urgency.choices,
        "limit_kb": MAX_UPLOAD_BYTES // 1024,
    }
    return _no_store(render(request, "interop/import_start.html", context))


def _report_page(
    request: StaffRequest, report: ReferralImportReport, confirm: ConfirmForm | None
) -> HttpResponse:
    context = {
        "report": report,
        "confirm": confirm,
        # Organisation admins import but do not work cases, so the referrals list is not theirs to open.
        "show_referral_list": can(
            request.user, Action.CREATE, Referral(organisation=request.user.organisation)
        ),
    }
    return _no_store(render(request, "interop/import_report.html", context))


@login_required
def referral_import(request: StaffRequest) -> HttpResponse:
    """The template, the column list and the upload form; an upload is checked and the result shown."""
    organisation = _authorise(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _start_page(request, form)
    upload = form.cleaned_data["file"]
    data = upload.read()
    name = str(upload.name)[:200]
    report = import_referrals(
        data,
        file=name,
        actor=request.user,
        organisation=organisation,
        dry_run=True,
        skip_invalid=form.cleaned_data["skip_invalid"],
    )
    confirm = None
    if not report.failed and report.referrals:
        confirm = ConfirmForm(
            initial={
                "content": base64.b64encode(data).decode("ascii"),
                "file_name": name,
                "skip_invalid": form.cleaned_data["skip_invalid"],
            }
        )
    return _report_page(request, report, confirm)


@login_required
@require_POST
def referral_import_confirm(request: StaffRequest) -> HttpResponse:
    """Import the file that was checked; it is checked again, so a changed file is reported, not imported."""
    organisation = _authorise(request)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing was imported: upload the file again to check it.")
        return redirect("referral_import")
    report = import_referrals(
        form.cleaned_data["content"],
        file=form.cleaned_data["file_name"],
        actor=request.user,
        organisation=organisation,
        skip_invalid=form.cleaned_data["skip_invalid"],
    )
    return _report_page(request, report, None)


@login_required
def referral_import_template(request: StaffRequest) -> HttpResponse:
    """The CSV header row to fill in."""
    _authorise(request)
    response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{TEMPLATE_NAME}"'
    return response
