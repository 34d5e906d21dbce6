from django.urls import include, path

from linkwork.api import api
from linkwork.web.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("openreferral/", include("linkwork.directory.oruk_urls")),
    path("", include("linkwork.web.urls")),
]
