from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "linkwork.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
