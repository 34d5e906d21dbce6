from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "linkwork.matching"
    label = "matching"
    verbose_name = "Matching and connections"

    def ready(self) -> None:
        from linkwork.directory.signals import services_changed
        from linkwork.matching import events, policies  # noqa: F401  (registration)
        from linkwork.matching.embedding_store import embed_changed_services

        services_changed.connect(embed_changed_services, dispatch_uid="matching.embed_changed_services")
