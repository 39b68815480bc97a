"""The audit trail: who read or changed which record, when and from where.

Models opt in with one line by subclassing `AuditedModel`; their creates, updates and
deletes are recorded automatically (field names, and values only for fields the model
lists in `audit_values`). Views record reads with `audit.record_read(...)` and services
record domain events with `audit.record(...)`. Entries are written in the caller's
transaction (ATOMIC_REQUESTS), never through Celery.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

_request_ctx: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar(
    "audit_request", default=None
)
_bulk_allowed: contextvars.ContextVar[bool] = contextvars.ContextVar("audit_bulk", default=False)


@dataclass(frozen=True)
class RequestInfo:
    user: Any
    ip: str | None
    user_agent: str
    path: str


class AuditBypassError(RuntimeError):
    """Raised when code tries a bulk write that would leave no audit trail."""


class AuditedQuerySet(models.QuerySet[Any]):
    # update()/bulk_* write without signals: refuse them so nothing escapes the trail.
    def update(self, **kwargs: Any) -> int:
        _refuse_bulk(self.model, "update()")
        return super().update(**kwargs)

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        _refuse_bulk(self.model, "bulk_create()")
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs: Any, *args: Any, **kwargs: Any) -> int:
        _refuse_bulk(self.model, "bulk_update()")
        return super().bulk_update(objs, *args, **kwargs)


def _refuse_bulk(model: type[models.Model], what: str) -> None:
    if not _bulk_allowed.get():
        raise AuditBypassError(f"{model.__name__}.objects.{what} bypasses the audit trail")


@contextlib.contextmanager
def bulk_load(*, actor: Any = None, reason: str) -> Iterator[None]:
    """Allow bulk writes (demo and benchmark data) and record that a bulk load happened."""
    token = _bulk_allowed.set(True)
    try:
        yield
    finally:
        _bulk_allowed.reset(token)
    record(actor=actor, action=f"system.bulk_load.{reason}"[:100])


AuditedManager = models.Manager.from_queryset(AuditedQuerySet)


class AuditedModel(models.Model):
    """Subclass to have every create, update and delete of the model audited."""

    audit_values: tuple[str, ...] = ()  # fields whose before/after values are safe to log
    audit_exclude: tuple[str, ...] = ("updated_at", "created_at")

    objects = AuditedManager()

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Any:
        instance = super().from_db(db, field_names, values)
        instance._audit_loaded = dict(zip(field_names, values, strict=True))  # type: ignore[attr-defined]
        return instance

    def audit_label(self) -> str:
        """A label that names the record without family or child details."""
        return f"{self._meta.verbose_name} #{self.pk}"


def current_request() -> RequestInfo | None:
    return _request_ctx.get()


def record(
    *,
    action: str,
    obj: models.Model | None = None,
    actor: Any = None,
    changed_fields: list[str] | None = None,
    changes: dict[str, Any] | None = None,
) -> None:
    from django.contrib.contenttypes.models import ContentType

    info = _request_ctx.get()
    if actor is None and info is not None and getattr(info.user, "is_authenticated", False):
        actor = info.user
    label = ""
    if obj is not None:
        label = obj.audit_label() if hasattr(obj, "audit_label") else f"{obj._meta.label} #{obj.pk}"
    _insert(
        at=timezone.now(),
        actor=actor.pk if getattr(actor, "pk", None) else None,
        actor_label=getattr(actor, "email", "") or ("system" if info is None else ""),
        action=action,
        content_type=ContentType.objects.get_for_model(obj).pk if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_label=label[:200],
        changed_fields=changed_fields or [],
        changes=_without_nul(changes or {}),
        ip=info.ip if info else None,
        user_agent=(info.user_agent if info else "")[:300],
        path=(info.path if info else "")[:300],
    )


def _insert(**values: Any) -> None:
    """One INSERT, no RETURNING and no model instance: every page that reads a family's
    records writes an entry, so this is on the signed-in request floor (the ORM's
    create() cost more than the statement). Values go through each field's own
    conversion (JSON, inet), in the caller's transaction like any ORM write."""
    from django.db import connections, router

    from familysupport.lib.models import AuditEntry

    using = router.db_for_write(AuditEntry)
    connection = connections[using]
    fields: list[Any] = [AuditEntry._meta.get_field(name) for name in values]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = (
        f"INSERT INTO {connection.ops.quote_name(AuditEntry._meta.db_table)} ({columns}) "  # noqa: S608 - names from the model
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    params = [
        f.get_db_prep_save(value, connection)
        for f, value in zip(fields, values.values(), strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _without_nul(value: Any) -> Any:
    from familysupport.lib.badinput import without_nul

    return without_nul(value)  # jsonb cannot hold "\u0000": a filter typed with one


def record_read(obj: models.Model, *, actor: Any = None) -> None:
    record(action=f"{obj._meta.app_label}.{obj._meta.model_name}.viewed", obj=obj, actor=actor)


def record_list(
    model: type[models.Model],
    *,
    filters: Any,
    rows: int,
    shown: int,
    obj: models.Model | None = None,
    actor: Any = None,
) -> None:
    """One read entry for a list page that shows families: its filter and how many rows.

    `filters`: the request's GET (or a dict); `page` is left out, values are cut short.
    """
    items = filters.lists() if hasattr(filters, "lists") else filters.items()
    kept: dict[str, list[str]] = {}
    for key, value in items:
        if key == "page":
            continue
        values = value if isinstance(value, list) else [value]
        kept[str(key)[:50]] = [str(v)[:100] for v in values][:10]
    record(
        action=f"{model._meta.app_label}.{model._meta.model_name}.listed",
        obj=obj,
        actor=actor,
        changes={"filter": kept, "rows": rows, "shown": shown},
    )


def _field_value(instance: models.Model, field: models.Field[Any, Any]) -> Any:
    return getattr(instance, field.attname)


def _on_save(
    sender: Any, instance: AuditedModel, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if raw:
        return
    prefix = f"{sender._meta.app_label}.{sender._meta.model_name}"
    fields = [
        f
        for f in sender._meta.concrete_fields
        if f.name not in sender.audit_exclude and not f.primary_key
    ]
    if created:
        record(action=f"{prefix}.created", obj=instance, changed_fields=[f.name for f in fields])
    else:
        loaded = getattr(instance, "_audit_loaded", None)
        changed = [
            f
            for f in fields
            if loaded is None
            or f.attname not in loaded
            or loaded[f.attname] != _field_value(instance, f)
        ]
        if not changed:
            _remember(instance)
            return
        changes = {
            f.name: [
                _jsonable(loaded.get(f.attname) if loaded else None),
                _jsonable(_field_value(instance, f)),
            ]
            for f in changed
            if f.name in sender.audit_values
        }
        record(
            action=f"{prefix}.updated",
            obj=instance,
            changed_fields=[f.name for f in changed],
            changes=changes,
        )
    _remember(instance)


def _remember(instance: models.Model) -> None:
    instance._audit_loaded = {  # type: ignore[attr-defined]
        f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields
    }


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _on_delete(sender: Any, instance: AuditedModel, **kwargs: Any) -> None:
    record(action=f"{sender._meta.app_label}.{sender._meta.model_name}.deleted", obj=instance)


def _connect(sender: type[models.Model], **kwargs: Any) -> None:
    if issubclass(sender, AuditedModel) and not sender._meta.abstract:
        post_save.connect(
            _on_save, sender=sender, weak=False, dispatch_uid=f"audit-save-{sender._meta.label}"
        )
        post_delete.connect(
            _on_delete, sender=sender, weak=False, dispatch_uid=f"audit-del-{sender._meta.label}"
        )


models.signals.class_prepared.connect(_connect, weak=False)


def client_ip(request: Any) -> str | None:
    """The client's address. With N trusted proxies in front, each appends the address it
    saw, so the client is the N-th entry from the right; anything further left is forgeable."""
    from django.conf import settings

    count: int = getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0)
    parts: list[str] = [
        p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()
    ]
    if count and len(parts) >= count:
        return parts[-count]
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None


class AuditContextMiddleware:
    """Make the acting user, IP and user agent known to audit entries of this request."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        token = _request_ctx.set(
            RequestInfo(
                user=getattr(request, "user", None),
                ip=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
                path=request.path,
            )
        )
        try:
            return self.get_response(request)
        finally:
            _request_ctx.reset(token)
