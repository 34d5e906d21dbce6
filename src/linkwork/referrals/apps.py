from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "linkwork.referrals"
    label = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from linkwork.referrals import events, policies  # noqa: F401  (registration)
