"""/e/… pages of saved enquiries and the enquiries API (/api/v1/enquiries)."""

from __future__ import annotations

from django.urls import path, re_path

from calculator.enquiries import api, views

app_name = "enquiries"

TOKEN = r"(?P<token>[A-Za-z0-9_-]{1,100})"

urlpatterns = [
    path("e/save/", views.save, name="save"),
    path("e/import/", views.import_visits, name="import"),
    path("e/ledger.csv", views.export_current, {"kind": "csv"}, name="export_csv"),
    path("e/ledger.xlsx", views.export_current, {"kind": "xlsx"}, name="export_xlsx"),
    path("e/template.csv", views.template_download, {"kind": "csv"}, name="template_csv"),
    path("e/template.xlsx", views.template_download, {"kind": "xlsx"}, name="template_xlsx"),
    re_path(rf"^e/{TOKEN}/$", views.detail, name="detail"),
    re_path(rf"^e/{TOKEN}/print/$", views.print_view, name="print"),
    re_path(rf"^e/{TOKEN}/qr\.svg$", views.qr_svg, name="qr"),
    re_path(rf"^e/{TOKEN}/ledger\.csv$", views.export_saved, {"kind": "csv"}, name="saved_csv"),
    re_path(rf"^e/{TOKEN}/ledger\.xlsx$", views.export_saved, {"kind": "xlsx"}, name="saved_xlsx"),
    path("api/v1/enquiries", api.enquiries, name="api_enquiries"),
    re_path(rf"^api/v1/enquiries/{TOKEN}$", api.enquiry, name="api_enquiry"),
    # Any other last segment (a mistyped token: "bad!tok", 101 characters) gets the API's own
    # answer for an unknown token (JSON, field "token"), not the site's 404 for an unknown address.
    re_path(r"^api/v1/enquiries/(?P<token>[^/]+)$", api.enquiry),
]
