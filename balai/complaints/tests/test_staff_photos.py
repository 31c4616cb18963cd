"""Report photos on the staff pages are served by Balai itself, scoped like their report."""

from __future__ import annotations

import hashlib

import pytest
from django.conf import settings
from django.urls import reverse

from balai.complaints import services
from balai.complaints.choices import Channel
from balai.complaints.models import Category, Complaint, ComplaintPhoto
from balai.complaints.photos import photo_add
from balai.complaints.tests.test_photos import jpeg
from balai.core.testing import Story

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_memory(settings) -> None:  # photos must not land in var/media
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}


def _report(story: Story) -> Complaint:
    category = Category.objects.create(code="jalan", name_id="Jalan rusak", name_en="Damaged road")
    return services.complaint_submit(
        channel=Channel.WEB,
        category=category,
        description="Lubang besar di Jl. Mentaos",
        pemda=story.root,
        territory=story.mentaos,
    )


def _url(photo: ComplaintPhoto) -> str:
    return reverse("complaints_staff:photo", args=[photo.complaint.tracking_code, photo.pk])


def test_staff_of_the_kelurahan_get_the_photo(client, story: Story) -> None:
    photo = photo_add(complaint=_report(story), content=jpeg())
    client.force_login(story.mentaos_clerk)
    response = client.get(_url(photo))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, max-age=3600"
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == photo.sha256


def test_other_kelurahan_and_signed_out_get_no_photo(client, story: Story) -> None:
    photo = photo_add(complaint=_report(story), content=jpeg())
    response = client.get(_url(photo))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("org:login"))
    client.force_login(story.komet_clerk)
    assert client.get(_url(photo)).status_code == 404


def test_photo_of_another_report_is_not_served_under_this_code(client, story: Story) -> None:
    first = _report(story)
    second = services.complaint_submit(
        channel=Channel.WEB,
        category=Category.objects.get(code="jalan"),
        description="Lampu jalan mati",
        pemda=story.root,
        territory=story.mentaos,
    )
    photo = photo_add(complaint=second, content=jpeg())
    client.force_login(story.mentaos_clerk)
    url = reverse("complaints_staff:photo", args=[first.tracking_code, photo.pk])
    assert client.get(url).status_code == 404


def test_hidden_photo_stays_visible_to_staff_only(client, story: Story) -> None:
    complaint = _report(story)
    photo = photo_add(complaint=complaint, content=jpeg())
    ComplaintPhoto.objects.filter(pk=photo.pk).update(is_hidden=True)
    public = reverse("complaints_public:photo", args=[complaint.tracking_code, photo.pk])
    assert client.get(public).status_code == 404
    client.force_login(story.mentaos_clerk)
    assert client.get(_url(photo)).status_code == 200


def test_detail_page_shows_photos_through_the_app_not_media_url(client, story: Story) -> None:
    photo = photo_add(complaint=_report(story), content=jpeg())
    client.force_login(story.mentaos_clerk)
    html = client.get(reverse("complaints_staff:detail", args=[photo.complaint.tracking_code])).content.decode()
    assert f'src="{_url(photo)}"' in html
    assert settings.MEDIA_URL not in html
