"""The Open Referral UK 3.0 API, included under /openreferral/ (see openreferral.py).

A trailing slash is accepted. Ids in addresses are read by the views, so a malformed one is a 400 with
a reason rather than a 404, and every other address under /openreferral/ is a JSON 404 that still
carries the CORS header.
"""

from django.urls import re_path

from linkwork.directory import openreferral

app_name = "openreferral"

urlpatterns = [
    re_path(r"^$", openreferral.api_details, name="api_details"),
    re_path(r"^services/?$", openreferral.service_list, name="services"),
    re_path(r"^services/(?P<service_id>[^/]+)/?$", openreferral.service_detail, name="service"),
    re_path(r"^service_at_locations/?$", openreferral.service_at_location_list, name="service_at_locations"),
    re_path(
        r"^service_at_locations/(?P<service_at_location_id>[^/]+)/?$",
        openreferral.service_at_location_detail,
        name="service_at_location",
    ),
    re_path(r"^organizations/?$", openreferral.organization_list, name="organizations"),
    re_path(
        r"^organizations/(?P<organization_id>[^/]+)/?$", openreferral.organization_detail, name="organization"
    ),
    re_path(r"^taxonomies/?$", openreferral.taxonomy_list, name="taxonomies"),
    re_path(r"^taxonomies/(?P<taxonomy_id>[^/]+)/?$", openreferral.taxonomy_detail, name="taxonomy"),
    re_path(r"^taxonomy_terms/?$", openreferral.taxonomy_term_list, name="taxonomy_terms"),
    re_path(
        r"^taxonomy_terms/(?P<term_id>[^/]+)/?$", openreferral.taxonomy_term_detail, name="taxonomy_term"
    ),
    re_path(r"^(?P<path>.*)$", openreferral.not_found, name="not_found"),
]
