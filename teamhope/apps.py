from django.apps import AppConfig


class TeamhopeConfig(AppConfig):
    name = "teamhope"
    verbose_name = "Team HOPE"

    def ready(self) -> None:
        from familysupport.lib import events, timeline

        from . import retention, services
        from .timeline import case_entries, family_entries

        timeline.register(case_entries)
        timeline.register_family(family_entries)
        events.family_consent_withdrawn.connect(services.matches_end_on_consent_withdrawn)
        events.case_purging.connect(retention.purge_for_case)
        events.family_merged.connect(services.matches_follow_merge)
        events.family_unmerged.connect(services.matches_follow_unmerge)
