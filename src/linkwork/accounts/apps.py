from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "linkwork.accounts"
    label = "accounts"
    verbose_name = "Organisations and staff"

    def ready(self) -> None:
        from linkwork.accounts import lockout, policies  # noqa: F401  (registers the policies and receivers)
