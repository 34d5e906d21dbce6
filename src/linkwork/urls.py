from django.urls import include, path

from linkwork.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("linkwork.web.urls")),
]
