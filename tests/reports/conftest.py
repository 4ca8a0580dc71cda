"""Owners with and without the reports permission, PDF text, and the checkout fixtures (real stripe-python + fake)."""

import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from pypdf import PdfReader

from tests.checkout.conftest import checkout, massage, stripe_client, stripe_fake, stripe_server  # noqa: F401

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pdf_text(content: bytes) -> str:
    reader = PdfReader(BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def save_png(content: bytes, name: str) -> Path:
    """Render page 1 to test-artifacts/<name>.png with pdftoppm (for a person to look at).

    Without pdftoppm (Debian's poppler-utils) only the PDF is saved: the picture is for people, not an assertion,
    and `make test` must not need more than Python.
    """
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / f"{name}.pdf"
    pdf.write_bytes(content)
    if shutil.which("pdftoppm") is None:
        return pdf
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(pdf), str(ARTIFACTS / name)], check=True)
    return ARTIFACTS / f"{name}.png"


def _user(django_user_model, username, permissions=()):
    user = django_user_model.objects.create_user(username, f"{username}@example.com", "pw", is_staff=True)
    group, _ = Group.objects.get_or_create(name=f"{username} group")
    codenames = ["access_admin", *permissions]
    group.permissions.set(Permission.objects.filter(codename__in=codenames))
    user.groups.add(group)
    return user


@pytest.fixture
def owner(django_user_model):
    return _user(django_user_model, "owner", ["view_revenue_reports"])


@pytest.fixture
def editor(django_user_model):
    """Can use the admin and see bookings, but not the money."""
    return _user(django_user_model, "editor", ["view_booking"])
