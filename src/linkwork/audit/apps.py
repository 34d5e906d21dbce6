from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "linkwork.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from linkwork.accounts import events as account_events  # noqa: F401
        from linkwork.audit import events, policies, signals  # noqa: F401  (registration)
