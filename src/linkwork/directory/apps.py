from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "linkwork.directory"
    label = "directory"
    verbose_name = "Community directory"

    def ready(self) -> None:
        from linkwork.directory import checks, events, policies  # noqa: F401  (registration)
