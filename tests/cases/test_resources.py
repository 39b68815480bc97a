"""Family resources: library, sharing (with e-mail only on consent), anonymous feedback."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Resource, ResourceFeedback, ResourceShare
from familysupport.lib.models import OutboundEmail

from .factories import ResourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_share_with_consenting_family_emails_links_only(adv_client, case):
    case.family.consent_mail = True
    case.family.email = "parent@example.org"
    case.family.save()
    resource = ResourceFactory(title="Family survival guide")
    response = adv_client.post(
        reverse("cases:resource_share", args=[case.pk]), {"resources": [resource.pk], "email": "on"}
    )
    assert response.status_code == 302
    share = ResourceShare.objects.get()
    assert share.emailed and share.case == case
    mail = OutboundEmail.objects.get(to="parent@example.org")
    assert str(resource.public_id) in mail.body_text
    assert case.family.contact_name not in mail.body_text
    # It shows on the case timeline.
    assert (
        "Resource shared: Family survival guide"
        in adv_client.get(case.get_absolute_url()).content.decode()
    )


def test_share_without_mail_consent_sends_nothing(adv_client, case):
    case.family.email = "parent@example.org"
    case.family.save()
    resource = ResourceFactory()
    adv_client.post(
        reverse("cases:resource_share", args=[case.pk]), {"resources": [resource.pk], "email": "on"}
    )
    assert ResourceShare.objects.get().emailed is False
    assert OutboundEmail.objects.count() == 0


def test_share_without_choice_is_400(adv_client, case):
    ResourceFactory()
    response = adv_client.post(reverse("cases:resource_share", args=[case.pk]), {})
    assert response.status_code == 400
    assert "resources" in response.context["share_form"].errors


def test_supervisor_adds_resource_with_a_pdf(sup_client):
    pdf = SimpleUploadedFile("guide.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = sup_client.post(
        reverse("cases:resource_create"),
        {
            "title": "Guide",
            "summary": "S",
            "kind": "guide",
            "language": "en",
            "file": pdf,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    resource = Resource.objects.get()
    file_response = sup_client.get(reverse("cases:resource_file", args=[resource.public_id]))
    assert file_response.status_code == 200


def test_resource_upload_that_is_not_a_pdf_is_refused(sup_client):
    fake = SimpleUploadedFile("guide.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = sup_client.post(
        reverse("cases:resource_create"),
        {
            "title": "Guide",
            "summary": "Typed summary",
            "kind": "guide",
            "language": "en",
            "file": fake,
        },
    )
    assert response.status_code == 400
    assert "Typed summary" in response.content.decode()
    assert Resource.objects.count() == 0


def test_resource_needs_link_or_file(sup_client):
    response = sup_client.post(
        reverse("cases:resource_create"),
        {"title": "Guide", "summary": "S", "kind": "guide", "language": "en"},
    )
    assert response.status_code == 400
    assert "url" in response.context["form"].errors


@pytest.mark.parametrize("role", ["advocate", "administrator"])
def test_only_supervisors_manage_the_library(login, make_user, role):
    assert login(make_user(role)).get(reverse("cases:resource_create")).status_code == 403


def test_public_feedback_is_anonymous_and_staff_see_results(client, adv_client):
    resource = ResourceFactory()
    url = reverse("cases:resource_feedback", args=[resource.public_id])
    assert (
        client.get(reverse("cases:resource_public", args=[resource.public_id])).status_code == 200
    )
    response = client.post(url, {"helpful": "5", "easy_to_understand": "yes", "comment": "Kind."})
    assert response.status_code == 200
    feedback = ResourceFeedback.objects.get()
    assert feedback.helpful == 5 and feedback.easy_to_understand is True
    assert not hasattr(feedback, "ip")
    body = adv_client.get(resource.get_absolute_url()).content.decode()
    assert "1 answer" in body and "Kind." in body


def test_feedback_bad_input_is_400_and_keeps_text(client):
    resource = ResourceFactory()
    url = reverse("cases:resource_feedback", args=[resource.public_id])
    response = client.post(url, {"helpful": "9", "comment": "Typed words"})
    assert response.status_code == 400
    assert "helpful" in response.context["form"].errors
    assert "Typed words" in response.content.decode()
    assert ResourceFeedback.objects.count() == 0


def test_feedback_is_rate_limited(client):
    resource = ResourceFactory()
    url = reverse("cases:resource_feedback", args=[resource.public_id])
    for _ in range(10):
        assert client.post(url, {"helpful": "4"}).status_code == 200
    assert client.post(url, {"helpful": "4"}).status_code == 429
    assert ResourceFeedback.objects.count() == 10


def test_inactive_resource_is_not_public(client):
    resource = ResourceFactory(is_active=False)
    assert (
        client.get(reverse("cases:resource_public", args=[resource.public_id])).status_code == 404
    )


# --- uploads: only PDF, Word and plain text, checked by content ------------------------


def _upload(sup_client, upload):
    return sup_client.post(
        reverse("cases:resource_create"),
        {
            "title": "Guide",
            "summary": "Typed summary",
            "kind": "guide",
            "language": "en",
            "file": upload,
            "is_active": "on",
        },
    )


DOCX = b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40  # a zip local file header


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("guide.pdf", b"%PDF-1.4 test"),
        ("guide.docx", DOCX),
        ("guide.txt", "Hotline: call 555-0100 any time. Ça va.\n".encode()),
    ],
)
def test_pdf_docx_and_utf8_text_are_accepted(sup_client, name, content):
    response = _upload(sup_client, SimpleUploadedFile(name, content))
    assert response.status_code == 302, response.context["form"].errors
    resource = Resource.objects.get()
    served = sup_client.get(reverse("cases:resource_file", args=[resource.public_id]))
    assert b"".join(served.streaming_content) == content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("guide.html", b"<html><script>alert(1)</script></html>", "Upload a PDF, Word"),
        ("guide.HTM", b"<html></html>", "Upload a PDF, Word"),
        ("guide.docx", b"<html><script>alert(1)</script></html>", "not a Word"),
        ("guide.docx", b"%PDF-1.4", "not a Word"),
        ("guide.txt", b"MZ\x90\x00\x03\x00\x00\x00", "not plain text"),  # binary: NUL bytes
        ("guide.txt", "UTF-16 text".encode("utf-16"), "not plain text"),
        ("guide.txt", b"caf\xe9 latin-1", "not plain text"),  # not UTF-8
    ],
)
def test_html_and_files_whose_content_does_not_match_are_refused(
    sup_client, name, content, message
):
    response = _upload(sup_client, SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["file"])
    assert "Typed summary" in response.content.decode()
    assert Resource.objects.count() == 0


def test_a_nul_byte_after_the_first_chunk_is_found(sup_client):
    text = b"a" * (70 * 1024) + b"\x00" + b"b" * 10  # beyond the first 64 KB chunk
    response = _upload(sup_client, SimpleUploadedFile("guide.txt", text))
    assert response.status_code == 400
    assert Resource.objects.count() == 0


def test_an_html_file_uploaded_before_the_check_is_served_as_bytes_not_a_page(client):
    from django.core.files.base import ContentFile

    resource = ResourceFactory(url="")
    resource.file.save("old.html", ContentFile(b"<script>alert(1)</script>"), save=True)
    response = client.get(reverse("cases:resource_file", args=[resource.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


# --- feedback rate limit: per client, behind the proxy --------------------------------


def test_feedback_limit_counts_each_client_behind_the_proxy_apart(client, settings):
    """Behind one proxy REMOTE_ADDR is the proxy's: the limit must follow X-Forwarded-For."""
    settings.AXES_IPWARE_PROXY_COUNT = 1
    resource = ResourceFactory()
    url = reverse("cases:resource_feedback", args=[resource.public_id])
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(10):
        response = client.post(url, {"helpful": "4"}, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
        assert response.status_code == 200
    limited = client.post(url, {"helpful": "4"}, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    assert limited.status_code == 429
    # Another family behind the same proxy is not limited with the first...
    other = client.post(url, {"helpful": "5"}, HTTP_X_FORWARDED_FOR="198.51.100.9", **proxy)
    assert other.status_code == 200
    # ...and a forged left-most entry does not escape the limit (the proxy appends the real one).
    forged = client.post(
        url, {"helpful": "4"}, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.7", **proxy
    )
    assert forged.status_code == 429
    assert ResourceFeedback.objects.count() == 11
