"""Test-client smoke tests of the web front page."""

from __future__ import annotations


def test_home_returns_200_in_chinese(client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "门诊共济" in response.content.decode("utf-8")


def test_home_in_english_when_asked(client) -> None:
    client.cookies["django_language"] = "en"  # what the language switch sets
    response = client.get("/")
    assert response.status_code == 200
    assert "Outpatient" in response.content.decode("utf-8")
