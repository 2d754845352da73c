from django.apps import AppConfig


class EnquiriesConfig(AppConfig):
    name = "calculator.enquiries"
    label = "enquiries"
    verbose_name = "保存的估算"
    default_auto_field = "django.db.models.BigAutoField"
