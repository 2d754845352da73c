from django.urls import path

from calculator.api import views

app_name = "api"

urlpatterns = [
    path("calculate", views.calculate, name="calculate"),
    path("regions", views.regions, name="regions"),
    path("openapi.json", views.openapi, name="openapi"),
]
