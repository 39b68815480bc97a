from django.apps import AppConfig


class LibConfig(AppConfig):
    """The ground floor as a Django app (label `lib`): the cross-cutting records every app
    writes (audit trail, job runs, sent-log, outbox, notifications). It imports no app."""

    name = "familysupport.lib"
    label = "lib"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Portal core"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .db_roles import grant_after_migrate

        # After every migrate (as the owner): the application role's privileges.
        post_migrate.connect(grant_after_migrate, sender=self, dispatch_uid="lib-db-roles")
