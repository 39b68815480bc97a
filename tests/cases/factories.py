"""Factories for the cases app. Fake data only."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from cases.models import Case, CaseAlert, Contact, Family, Person, Resource, Task
from tests.factories import UserFactory


class FamilyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Family

    contact_name = factory.Faker("name")
    display_name = factory.LazyAttribute(lambda o: f"{o.contact_name.split()[-1]} family")
    contact_first_name = factory.LazyAttribute(lambda o: o.contact_name.split()[0])
    phone = factory.Sequence(lambda n: f"+1555010{n % 10000:04d}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    family = factory.SubFactory(FamilyFactory)
    role = Person.Role.CHILD
    first_name = factory.Faker("first_name")
    is_child_of_concern = True


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    family = factory.SubFactory(FamilyFactory)
    case_type = Case.Type.ENDANGERED_RUNAWAY
    assigned_advocate = factory.SubFactory(UserFactory, role="advocate", totp=False)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    case = factory.SubFactory(CaseFactory)
    advocate = factory.LazyAttribute(lambda o: o.case.assigned_advocate)
    started_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
    duration_minutes = 15
    direction = Contact.Direction.INBOUND
    purpose = Contact.Purpose.EMOTIONAL_SUPPORT
    notes = factory.Faker("paragraph")


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    case = factory.SubFactory(CaseFactory)
    owner = factory.LazyAttribute(lambda o: o.case.assigned_advocate)
    title = "Call back"
    due_on = factory.LazyFunction(timezone.localdate)


class CaseAlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseAlert

    case = factory.SubFactory(CaseFactory)
    kinds = ["safety_concern"]
    raised_by = factory.LazyAttribute(lambda o: o.case.assigned_advocate)


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    title = factory.Sequence(lambda n: f"Family survival guide {n}")
    summary = "What to do in the first days after a child goes missing."
    url = "https://resources.example.org/guide.pdf"
