from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"

    def ready(self) -> None:
        from familysupport.lib import timeline

        from .timeline import case_entries

        timeline.register(case_entries)
