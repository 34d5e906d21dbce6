from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "linkwork.support"
    label = "support"
    verbose_name = "Support episodes"

    def ready(self) -> None:
        from linkwork.support import events, policies  # noqa: F401  (registration)
