"""Data-protection rights."""

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "linkwork.privacy"
    label = "privacy"
    verbose_name = "Data-protection rights"

    def ready(self) -> None:
        from linkwork.privacy import events, policies  # noqa: F401  (registration)
