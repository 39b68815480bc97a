from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"

    def ready(self) -> None:
        from familysupport.lib import events, timeline

        from . import retention, services
        from .timeline import case_entries, family_entries

        timeline.register(case_entries)
        timeline.register_family(family_entries)
        events.case_purging.connect(retention.purge_for_case)
        events.family_merged.connect(services.referrals_follow_merge)
        events.family_unmerged.connect(services.referrals_follow_unmerge)
