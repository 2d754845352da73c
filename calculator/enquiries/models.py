"""A saved enquiry: the inputs, the result as calculated then, and the rule versions used.

Nothing that names a person is stored (no name, ID number or phone: the calculator never asks
for them). The row is reached only through its token, at least 128 random bits; the
auto-increment id is never shown.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone


class Enquiry(models.Model):
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    # The calculation request, canonical (services.canonical_inputs): valid for the contract.
    inputs = models.JSONField()
    # The contract's result as calculated when saved: the "saved figures" (never recomputed).
    result = models.JSONField()
    # Each rule version used: id, region, data file path and its sha256, title, status, dates.
    rules = models.JSONField()
    source = models.CharField(max_length=8, default="web")  # "web" or "api"

    class Meta:
        verbose_name = "保存的估算"
        verbose_name_plural = "保存的估算"

    def __str__(self) -> str:  # never the figures
        return f"Enquiry {self.pk}"

    @property
    def expires_on(self):
        # The last day it works: it ends at the midnight after it (services.save_enquiry).
        return timezone.localtime(self.expires_at - dt.timedelta(microseconds=1)).date()

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
