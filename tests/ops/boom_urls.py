"""The site's URLs plus two views that fail, quoting what the request sent (as real bugs do)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from calculator.urls import urlpatterns as site_urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    amount = request.GET.get("total", "")
    raise ValueError(f"could not read the amount {amount!r} for age {request.GET.get('age')}")


def boom_text(request: HttpRequest) -> HttpResponse:
    # Words, not figures: a name or a diagnosis typed into an imported file's cell.
    note = request.GET.get("note", "")
    raise KeyError(f"note was {note}", {"note": note})


urlpatterns = [path("boom/", boom), path("boom-text/", boom_text), path("api/v1/boom", boom), *site_urlpatterns]
handler400 = "calculator.ops.views.bad_request"
handler403 = "calculator.ops.views.permission_denied"
handler404 = "calculator.ops.views.page_not_found"
handler500 = "calculator.ops.views.server_error"
