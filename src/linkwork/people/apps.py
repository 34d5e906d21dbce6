from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "linkwork.people"
    label = "people"
    verbose_name = "People supported"

    def ready(self) -> None:
        from linkwork.people import events, policies  # noqa: F401  (registration)
