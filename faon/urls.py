from __future__ import annotations

app_name = "faon"
urlpatterns: list = []
