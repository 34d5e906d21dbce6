from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "linkwork.interop"
    label = "interop"
    verbose_name = "Working with health and care systems"

    def ready(self) -> None:
        # One import per module that registers audit event codes.
        from linkwork.interop import (
            events,  # noqa: F401  (registration)
            intake_events,  # noqa: F401  (registration)
            summary_events,  # noqa: F401  (registration)
        )
