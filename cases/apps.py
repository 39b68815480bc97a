from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self) -> None:
        from familysupport.lib import events, timeline

        from . import holds, services
        from . import timeline as case_timeline

        events.user_deactivated.connect(services.drafts_delete_on_deactivation)
        events.family_merged.connect(holds.holds_follow_merge)
        events.family_unmerged.connect(holds.holds_follow_unmerge)
        events.family_merged.connect(services.shares_follow_merge)
        events.family_unmerged.connect(services.shares_follow_unmerge)

        timeline.register(case_timeline.contact_entries)
        timeline.register(case_timeline.share_entries)
