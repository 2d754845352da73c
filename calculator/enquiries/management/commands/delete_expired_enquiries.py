"""``python manage.py delete_expired_enquiries``: delete saved enquiries past their time.

Run it daily (cron, a systemd timer or the platform's scheduler). It prints how many were
deleted; ``--dry-run`` only counts them. Links stop working at expiry even before this runs.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from calculator.enquiries.models import Enquiry
from calculator.enquiries.services import delete_expired


class Command(BaseCommand):
    help = "删除已过保存期限的查询（保存期限见 ENQUIRY_RETENTION_DAYS，默认 180 天）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只统计，不删除")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["dry_run"]:
            count = Enquiry.objects.filter(expires_at__lte=now).count()
            self.stdout.write(f"有 {count} 条已过期的查询（未删除）。")
            return
        count = delete_expired(now)
        self.stdout.write(f"已删除 {count} 条过期的查询。")
