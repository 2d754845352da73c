"""Saved links work through the whole of their last day (the page says "到 <date> 为止有效"):
links saved before that rule ended at the time of day they were saved; they now end at the
local midnight after that day, as new ones do (services.save_enquiry)."""

import datetime as dt

from django.db import migrations
from django.utils import timezone


def to_midnight(apps, schema_editor):
    Enquiry = apps.get_model("enquiries", "Enquiry")
    for enquiry in Enquiry.objects.only("pk", "expires_at").iterator():
        local = timezone.localtime(enquiry.expires_at)
        if local.time() == dt.time.min:
            continue  # already the midnight after its last day
        midnight = timezone.make_aware(dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time.min))
        Enquiry.objects.filter(pk=enquiry.pk).update(expires_at=midnight)


class Migration(migrations.Migration):
    dependencies = [("enquiries", "0001_initial")]

    operations = [migrations.RunPython(to_midnight, migrations.RunPython.noop)]
