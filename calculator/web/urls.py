from __future__ import annotations

from django.urls import path

from calculator.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("policies/", views.policy_library, name="policies"),
    path("about/", views.about, name="about"),
    path("favicon.ico", views.favicon, name="favicon"),
]
