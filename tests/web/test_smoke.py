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


def test_about_page_says_when_what_is_entered_is_stored(client, settings) -> None:
    """Saving an enquiry stores its figures: the privacy paragraph says so, with the site's
    own retention period, instead of "the calculator does not store what you enter"."""
    settings.ENQUIRY_RETENTION_DAYS = 30
    html = client.get("/about/").content.decode("utf-8")
    assert "计算器不保存您填写的内容" not in html
    assert "只有按“保存并生成链接”时，才保存这次填写的费用和参保信息" in html
    assert "链接 30 天后失效并删除" in html
    client.cookies["django_language"] = "en"
    html = client.get("/about/").content.decode("utf-8")
    assert "does not store" not in html and "the link stops working after 30 days" in html
