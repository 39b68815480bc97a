"""The portal's roles: defined here so lib's access checks need not import accounts.

`accounts.models.User.Role` is this class; the values are what the `role` column stores.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    ADVOCATE = "advocate", "Advocate"
    SUPERVISOR = "supervisor", "Supervisor"
    ADMINISTRATOR = "administrator", "Administrator"
    PROVIDER = "provider", "FAON provider"
    VOLUNTEER = "volunteer", "Team HOPE volunteer"


# The division's own staff (advocates, supervisors, administrators).
STAFF_ROLES = frozenset({Role.ADVOCATE, Role.SUPERVISOR, Role.ADMINISTRATOR})
