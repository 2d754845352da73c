from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "calculator.ops"
    label = "ops"
    verbose_name = "运行与安全"

    def ready(self) -> None:
        from django.core.signals import request_finished

        from calculator.ops.logging import request_id_var

        def _forget_request_id(**kwargs: object) -> None:
            request_id_var.set("-")

        request_finished.connect(_forget_request_id, dispatch_uid="ops.forget_request_id", weak=False)
