from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "linkwork.networks"
    label = "networks"
    verbose_name = "Network maps"

    def ready(self) -> None:
        from linkwork.networks import events, policies  # noqa: F401  (registration)
