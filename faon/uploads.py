"""Credential documents (license, insurance): checked by content, size-limited, scanned.

Only PDF, PNG and JPEG are accepted, decided by the file's first bytes (magic numbers),
never by its name or the browser's Content-Type: a renamed executable is refused.

Virus-scan hook point: `scan_for_viruses(file)` is called for every upload before it is
stored (from the form's clean step, so a rejected file never reaches the disk). It does
nothing by default; to plug in a scanner (e.g. clamd via `clamd.ClamdUnixSocket().instream`)
set `FAON_VIRUS_SCANNER = "dotted.path.to.callable"` in settings: the callable receives
the uploaded file and raises `django.core.exceptions.ValidationError` for an infected one.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024

# (magic prefix, content type, extension)
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)

CONTENT_TYPES = {ext: ctype for _magic, ctype, ext in SIGNATURES}


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the first bytes, or None if not an accepted type."""
    for magic, ctype, ext in SIGNATURES:
        if head.startswith(magic):
            return ctype, ext
    return None


def scan_for_viruses(upload) -> None:
    """The virus-scan hook: called before an upload is stored (see the module docstring)."""
    path = getattr(settings, "FAON_VIRUS_SCANNER", "")
    if path:
        import_string(path)(upload)


def validate_document(upload) -> str:
    """Check an uploaded file; return the extension to store it under. Raises ValidationError."""
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("The file is %(size).1f MB; the limit is 10 MB.")
            % {"size": upload.size / 1024 / 1024},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    found = sniff(head)
    if found is None:
        raise ValidationError(
            _(
                "Only PDF, PNG or JPEG documents are accepted; this file is none of those "
                "(its content was checked, not its name)."
            ),
            code="bad_type",
        )
    scan_for_viruses(upload)
    upload.seek(0)
    # Store under the extension the content proves, whatever the uploaded name says.
    upload.name = f"document.{found[1]}"
    return found[1]


def content_type_of(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower()
    return CONTENT_TYPES.get(ext, "application/octet-stream")
