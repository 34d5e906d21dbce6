from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "linkwork.core"
    label = "core"
    verbose_name = "linkwork core"

    def ready(self) -> None:
        from linkwork.core import checks, events  # noqa: F401  (registers the deploy checks and events)
