"""The site-wide 64 KB body limit must not stop a visit list uploaded for import."""

from __future__ import annotations

import pytest
from django.conf import settings


@pytest.mark.django_db
def test_an_import_over_the_site_limit_reaches_the_import_view(client):
    # 200 rows of 就诊日期,医疗机构级别,就诊类型,医疗费总额,全自费金额,乙类金额 padded past 64 KB:
    # the middleware lets it through (the import's own 2 MB limit applies), so the answer is
    # the import's own message about the file, not the site's 413 page.
    header = "就诊日期,医疗机构级别,就诊类型,医疗费总额,全自费金额,乙类金额\n"
    rows = "".join(f"2024-03-{1 + i % 28:02d},3,门诊,{100 + i}.00,0,0\n" for i in range(200))
    body = (header + rows + "#" * (settings.SITE_MAX_BODY_BYTES + 1000)).encode("utf-8")
    assert len(body) > settings.SITE_MAX_BODY_BYTES
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("visits.csv", body, content_type="text/csv")
    response = client.post("/e/import/", {"file": upload, "region": "xuzhou", "status": "employed", "age": "40"})
    assert response.status_code != 413
