"""Demo Team HOPE data: ~40 volunteers, matches with consenting demo families, peer calls.

Idempotent: volunteers are keyed by e-mail, families already matched are skipped, and calls
are only topped up to the target. `--scale full` gives about a year of calls at today's
volume (~31,000). Fake names only.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone
from faker import Faker

from accounts.models import User
from cases import selectors as case_selectors
from cases.models import Case
from familysupport.lib import audit

from .models import Escalation, PeerCall, PeerMatch, Volunteer

VOLUNTEERS = 40
CALLS = {"small": 400, "full": 31_000}
TIME_ZONES = [
    "America/New_York",
    "America/New_York",
    "America/Chicago",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Phoenix",
    "Pacific/Honolulu",
]


def seed(*, scale: str, stdout, users: dict) -> None:
    rng = random.Random(6)
    fake = Faker("en_US")
    fake.seed_instance(6)
    staff = users.get("supervisor") or User.objects.filter(role=User.Role.SUPERVISOR).first()
    volunteers = _volunteers(rng, fake, users.get("volunteer"))
    if staff is None:
        stdout.write("teamhope: no supervisor user; skipped matches and calls")
        return
    matches = _matches(rng, staff, volunteers, users.get("volunteer"))
    calls = _calls(rng, matches, CALLS.get(scale, CALLS["small"]))
    _escalations(matches, users.get("volunteer"))
    stdout.write(
        f"teamhope: {len(volunteers)} volunteers, {len(matches)} active matches, "
        f"{calls} peer calls added"
    )


def _volunteers(rng: random.Random, fake: Faker, demo_user: User | None) -> list[Volunteer]:
    today = timezone.localdate()
    types = list(Case.Type.values)
    people: list[tuple[User, int]] = []
    if demo_user is not None:
        people.append((demo_user, 0))
    for i in range(1, VOLUNTEERS):
        email = f"peer{i:02d}@demo.example"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, None, full_name=fake.name(), role="volunteer")
        people.append((user, i))
    existing = {v.user_id: v for v in Volunteer.objects.filter(user__in=[u for u, _ in people])}
    result = []
    for user, i in people:
        volunteer = existing.get(user.pk)
        if volunteer is None:
            stale = i % 13 == 7  # a few show why they cannot be matched
            volunteer = Volunteer(
                user=user,
                experience_types=rng.sample(types, k=rng.choice([1, 1, 2])),
                experience_outcome=rng.choice(["recovered", "recovered", "missing"]),
                languages=["en", "es"] if i % 4 == 1 else (["es"] if i % 9 == 2 else ["en"]),
                time_zone=TIME_ZONES[i % len(TIME_ZONES)],
                capacity=rng.choice([2, 3, 3, 4, 5]),
                training_completed_on=today - dt.timedelta(days=(900 if stale else 30 + 17 * i)),
                background_check_on=None if i % 19 == 11 else today - dt.timedelta(days=60 + 9 * i),
                status="paused" if i % 17 == 5 else ("retired" if i == 38 else "active"),
            )
            if user == demo_user:
                volunteer.experience_types = ["family_abduction", "recovered_follow_up"]
                volunteer.languages = ["en", "es"]
                volunteer.capacity = 4
            volunteer.save()
        result.append(volunteer)
    return result


def _matches(
    rng: random.Random, staff: User, volunteers: list[Volunteer], demo_user: User | None
) -> list[PeerMatch]:
    consenting = list(
        case_selectors.case_list_visible_to(user=staff)
        .filter(family__consent_team_hope_contact=True, family__merged_into__isnull=True)
        .exclude(status=Case.Status.CLOSED)
        .order_by("opened_at", "pk")
    )
    # A stable 80% of them get a volunteer (re-running matches nobody new); the rest wait.
    matched = set(PeerMatch.objects.values_list("family_id", flat=True))
    waiting = [c for c in consenting[: int(len(consenting) * 0.8)] if c.family_id not in matched]
    active = {v.pk: v.matches.filter(ended_at__isnull=True).count() for v in volunteers}
    today = timezone.localdate()
    eligible = [
        v
        for v in volunteers
        if v.status == "active"
        and v.background_check_on
        and v.training_completed_on
        and (today - v.training_completed_on).days < 700
    ]
    # The demo volunteer first, so signing in as them shows families; leave some waiting.
    eligible.sort(key=lambda v: (v.user != demo_user, v.pk))
    seen_families: set[int] = set(matched)
    now = timezone.now()
    for case in waiting:
        if case.family_id in seen_families:
            continue
        volunteer = next((v for v in eligible if active[v.pk] < v.capacity), None)
        if volunteer is None:
            break
        started = max(case.opened_at, now - dt.timedelta(days=rng.randint(20, 420)))
        PeerMatch(
            volunteer=volunteer,
            family_id=case.family_id,
            case=case,
            why_matched="Demo: similar experience and a shared language.",
            started_at=started,
            created_by=staff,
        ).save()
        active[volunteer.pk] += 1
        seen_families.add(case.family_id)
        if volunteer.user == demo_user and active[volunteer.pk] >= 2:
            eligible.remove(volunteer)  # leave the rest of the families for other volunteers
    return list(PeerMatch.objects.filter(ended_at__isnull=True).select_related("volunteer"))


def _calls(rng: random.Random, matches: list[PeerMatch], target: int) -> int:
    if not matches:
        return 0
    missing = target - PeerCall.objects.count()
    if missing <= 0:
        return 0
    now = timezone.now()
    year_ago = now - dt.timedelta(days=365)
    topics = list(PeerCall.Topic.values)
    batch: list[PeerCall] = []
    with audit.bulk_load(reason="demo"):
        for n in range(missing):
            match = matches[n % len(matches)]
            start = max(match.started_at, year_ago)
            span = max(int((now - start).total_seconds()) - 3600, 60)
            batch.append(
                PeerCall(
                    match=match,
                    called_at=start + dt.timedelta(seconds=rng.randint(0, span)),
                    duration_minutes=rng.choice([5, 10, 15, 20, 25, 30, 45, 60]),
                    direction=rng.choice(["outbound", "outbound", "inbound"]),
                    topics=sorted(rng.sample(topics, k=rng.choice([1, 1, 2, 3]))),
                    note="Demo call: check-in.",
                )
            )
            if len(batch) >= 2000:
                PeerCall.objects.bulk_create(batch)
                batch = []
        if batch:
            PeerCall.objects.bulk_create(batch)
    return missing


def _escalations(matches: list[PeerMatch], demo_user: User | None) -> None:
    if Escalation.objects.exists():
        return
    mine = [m for m in matches if demo_user and m.volunteer.user_id == demo_user.pk]
    for match in (mine or matches)[:1]:
        Escalation.objects.create(
            match=match,
            raised_by=match.volunteer.user,
            reason="Demo: the parent asked to speak with their advocate today.",
            advocate_notified=match.case.assigned_advocate,
            notified_at=timezone.now(),
        )
