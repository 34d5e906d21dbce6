from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "linkwork.matching"
    label = "matching"
    verbose_name = "Matching and connections"

    def ready(self) -> None:
        from linkwork.matching import events, policies  # noqa: F401  (registration)
