from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "linkwork.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        # Registration: audit codes, the access policy, and the receiver of `webhook_event`.
        from linkwork.webhooks import events, policies, services  # noqa: F401
