"""Templates show what views decided: no role checks, no queries (views pass flags and lists).

A role check in a template is a second, untested copy of an access rule; a queryset walked
in a template is a query nobody counts. Views compute `can_*` flags from the access
selectors and hand over lists.
"""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

ROLE_CHECK = re.compile(
    r"\buser\.(role|is_(advocate|supervisor|administrator|provider|volunteer|division_staff"
    r"|staff|superuser))\b"
)
QUERY = re.compile(r"\.(all|exists|filter|values|values_list|select_related)\b")
TAG = re.compile(r"\{[{%].*?[%}]\}", re.S)


def offences(pattern: re.Pattern[str]) -> list[str]:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for tag in TAG.findall(path.read_text()):
            if pattern.search(tag):
                found.append(f"{path.relative_to(TEMPLATES)}: {tag[:120]}")
    return found


def test_no_role_checks_in_templates():
    assert not offences(ROLE_CHECK)


def test_no_queries_in_templates():
    assert not offences(QUERY)


def test_the_checks_see_what_they_look_for():
    assert ROLE_CHECK.search('{% if user.role == "advocate" %}')
    assert ROLE_CHECK.search("{% if request.user.is_supervisor %}")
    assert QUERY.search("{% for c in provider.status_changes.all %}")
    assert not QUERY.search("{{ page.paginator.count }}")
