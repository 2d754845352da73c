"""Root URL configuration."""

from django.urls import include, path

from calculator.ops.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("calculator.api.urls")),
    path("", include("calculator.enquiries.urls")),
    path("", include("calculator.web.urls")),
]

# Chinese error pages in the site's layout (JSON under /api/), used when DEBUG is off.
handler400 = "calculator.ops.views.bad_request"
handler403 = "calculator.ops.views.permission_denied"
handler404 = "calculator.ops.views.page_not_found"
handler500 = "calculator.ops.views.server_error"
