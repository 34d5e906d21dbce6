from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "linkwork.reporting"
    label = "reporting"
    verbose_name = "Reporting"

    def ready(self) -> None:
        from linkwork.reporting import events  # noqa: F401  (registration)
