from __future__ import annotations

app_name = "teamhope"
urlpatterns: list = []
