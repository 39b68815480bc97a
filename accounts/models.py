from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from familysupport.lib.audit import AuditedModel, AuditedQuerySet
from familysupport.lib.roles import STAFF_ROLES, Role


class UserManager(BaseUserManager.from_queryset(AuditedQuerySet)):  # type: ignore[misc]
    use_in_migrations = False  # migrations must not hit the audit-refusing queryset

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("role", User.Role.ADMINISTRATOR)
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AuditedModel, AbstractBaseUser, PermissionsMixin):
    audit_values = ("role", "is_active", "supervisor")
    # Presence has explicit audit events (services.user_taking_calls_set); the heartbeat is
    # written by the screen-pop poll once a minute and must never be an audit row per poll.
    audit_exclude = ("last_login", "taking_calls", "taking_calls_seen_at")

    Role = Role  # familysupport/lib/roles.py

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=20, choices=Role.choices, db_index=True)
    # An advocate's supervisor: defines the supervisor's team (team dashboards, team audit).
    supervisor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="team_members"
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)  # no Django admin is installed; kept for auth
    date_joined = models.DateTimeField(default=timezone.now)
    invited_at = models.DateTimeField(null=True, blank=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    # "Taking calls": the advocate wants screen pops from the phone system (issue 20). Off at
    # sign-out and idle time-out; `taking_calls_seen_at` is the pop poll's heartbeat (a
    # closed tab stops it, so a stale one means nobody is watching for pops).
    taking_calls = models.BooleanField(default=False, db_default=False)
    taking_calls_seen_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name", "role"]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_absolute_url(self) -> str:
        return reverse("accounts:user_detail", args=[self.pk])

    @property
    def is_advocate(self) -> bool:
        return self.role == self.Role.ADVOCATE

    @property
    def is_supervisor(self) -> bool:
        return self.role == self.Role.SUPERVISOR

    @property
    def is_administrator(self) -> bool:
        return self.role == self.Role.ADMINISTRATOR

    @property
    def is_provider(self) -> bool:
        return self.role == self.Role.PROVIDER

    @property
    def is_volunteer(self) -> bool:
        return self.role == self.Role.VOLUNTEER

    @cached_property
    def team_member_ids(self) -> list[int]:
        """Ids of the advocates reporting to this user, read once per request (the home
        page's panels all filter by the team)."""
        return list(
            User.objects.filter(supervisor_id=self.pk).order_by().values_list("pk", flat=True)
        )

    @property
    def is_division_staff(self) -> bool:
        """Advocates, supervisors and administrators: the division's own staff."""
        return self.role in STAFF_ROLES


__all__ = ["STAFF_ROLES", "User"]
