"""Root URL configuration."""

from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("calculator.api.urls")),
    path("", include("calculator.web.urls")),
]
