"""The two throughput floors, measured under gunicorn next to the portal's pages.

- framework floor: a bare Django view returning "ok";
- server-rendered-list floor: 50 rows of a 100,000-row table rendered by a plain template.
"""

from __future__ import annotations

import random

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

FLOOR_ROWS = 100_000


class FloorItem(models.Model):
    """bench_floor_item, created and filled by bench/generate.py (not a migration)."""

    name = models.CharField(max_length=150)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    created_at = models.DateTimeField()

    class Meta:
        app_label = "bench"
        db_table = "bench_floor_item"
        managed = False
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def item_list(request: HttpRequest) -> HttpResponse:
    start = random.randrange(FLOOR_ROWS - 50)
    items = FloorItem.objects.filter(id__gt=start).order_by("id")[:50]
    return render(request, "bench/floor_list.html", {"items": items})


urlpatterns = [
    path("floor/ok/", ok, name="floor_ok"),
    path("floor/list/", item_list, name="floor_list"),
]
