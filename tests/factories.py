"""factory_boy factories shared by every app's tests. Fake data only."""

from __future__ import annotations

import factory
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts.models import User

TEST_PASSWORD = "correct horse battery staple 42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name")
    role = User.Role.ADVOCATE
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def totp(self, create, extracted, **kwargs):
        """Every user gets an authenticator unless `totp=False`; the secret is kept on it."""
        self.save()
        if extracted is False or not create:
            return
        secret = generate_totp_secret()
        TOTP.activate(self, secret)
        self.totp_secret = secret


def totp_secret_of(user: User) -> str:
    from allauth.mfa.utils import decrypt

    auth = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return decrypt(auth.data["secret"])
