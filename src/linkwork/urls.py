from django.urls import include, path

from linkwork.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("openreferral/", include("linkwork.directory.oruk_urls")),
    path("", include("linkwork.web.urls")),
]
