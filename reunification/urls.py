from __future__ import annotations

app_name = "reunification"
urlpatterns: list = []
