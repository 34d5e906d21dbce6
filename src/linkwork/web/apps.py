from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "linkwork.web"
    label = "web"
    verbose_name = "Web interface"
