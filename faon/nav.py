"""FAON links in the menu and on the "my work" home page."""

from __future__ import annotations

from django.urls import reverse

from familysupport.lib.portal import MenuItem, Panel

from . import compliance, selectors


def menu(user) -> list[MenuItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    if user.is_provider:
        return [
            MenuItem("My FAON record", reverse("faon:portal"), 20),
            MenuItem("Trainings & events", reverse("faon:event_list"), 21),
            MenuItem("Newsletter", reverse("faon:newsletter_list"), 22),
        ]
    if not user.is_division_staff:
        return []
    items = [
        MenuItem("FAON members", reverse("faon:provider_list"), 40),
        MenuItem("FAON applications", reverse("faon:application_list"), 41),
        MenuItem("FAON events", reverse("faon:event_list"), 42),
        MenuItem("FAON newsletter", reverse("faon:newsletter_list"), 43),
    ]
    if user.is_administrator:
        items.append(MenuItem("Directory API keys", reverse("faon:api_key_list"), 90))
    return items


def home_panels(request) -> list[Panel]:
    user = request.user
    if user.is_provider:
        provider = selectors.provider_for_manager(user)
        if provider is None:
            return []
        year = compliance.current_membership_year()
        result = compliance.compliance_for(provider, year)
        url = reverse("faon:provider_detail", args=[provider.pk])
        lines = [{"text": m, "url": url} for m in result.missing] or [
            {"text": f"All FAON requirements for {year} are met.", "url": url}
        ]
        return [
            Panel(f"FAON membership {year}", "faon/includes/_home_panel.html", {"lines": lines}, 10)
        ]
    if user.is_supervisor or user.is_administrator:
        waiting = selectors.application_list_for_vetting(user=user).count()
        if waiting:
            return [
                Panel(
                    "FAON applications",
                    "faon/includes/_home_panel.html",
                    {
                        "lines": [
                            {
                                "text": f"{waiting} application(s) to review",
                                "url": reverse("faon:application_list"),
                            }
                        ]
                    },
                    40,
                )
            ]
    return []
