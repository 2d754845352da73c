"""Django entry point of the rules app (label ``rules``)."""

from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "calculator.rules"
    label = "rules"
    verbose_name = "门诊共济报销规则"

    def ready(self) -> None:
        from calculator.rules import registry

        registry.load_policies()
