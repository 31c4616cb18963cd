"""Open311 ``media_url``: fetched by a worker into a checked photo, never from our own network by default."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client, override_settings
from PIL import Image

from balai.complaints.media_fetch import MediaFetchError, attach_open311_media, fetch_image
from balai.complaints.models import Complaint
from balai.complaints.photos import MAX_BYTES
from balai.complaints.tests.test_open311 import (
    BASE,
    valid_post,
    world,  # noqa: F401 - the fixture
)

pytestmark = pytest.mark.django_db


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


class MediaServer:
    """Serves a photo, a redirect chain, an oversize body and a text page on 127.0.0.1."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        routes: dict[str, tuple[int, dict[str, str], bytes]] = {
            "/photo.jpg": (200, {"Content-Type": "image/jpeg"}, jpeg()),
            "/moved": (302, {"Location": "/photo.jpg"}, b""),
            "/loop": (302, {"Location": "/loop"}, b""),
            "/page.html": (200, {"Content-Type": "text/html"}, b"<html>not a photo</html>"),
            "/huge.jpg": (200, {"Content-Length": str(MAX_BYTES + 1)}, b""),
            "/gone.jpg": (404, {}, b""),
        }
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server.hits.append(self.path)
                status, headers, body = routes.get(self.path, (404, {}, b""))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def media() -> Iterator[MediaServer]:
    server = MediaServer()
    yield server
    server.stop()


def test_loopback_private_and_metadata_addresses_are_refused_by_default(media: MediaServer) -> None:
    for url in (media.url("/photo.jpg"), "http://10.1.2.3/x.jpg", "http://169.254.169.254/latest/meta-data/"):
        with pytest.raises(MediaFetchError, match="non-public address"):
            fetch_image(url)
    assert media.hits == []  # refused before any connection
    with pytest.raises(MediaFetchError, match="only http and https"):
        fetch_image("file:///etc/passwd")


@override_settings(BALAI_MEDIA_FETCH_PRIVATE=True)
def test_fetch_follows_a_redirect_and_caps_everything(media: MediaServer) -> None:
    assert fetch_image(media.url("/moved")) == jpeg()
    with pytest.raises(MediaFetchError, match="redirects"):
        fetch_image(media.url("/loop"))
    with pytest.raises(MediaFetchError, match="at most"):
        fetch_image(media.url("/huge.jpg"))
    with pytest.raises(MediaFetchError, match="404"):
        fetch_image(media.url("/gone.jpg"))


@override_settings(BALAI_MEDIA_FETCH_PRIVATE=True)
def test_open311_post_with_media_url_gets_the_photo(
    client: Client,
    world: dict[str, Any],  # noqa: F811 - the fixture imported above
    media: MediaServer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{BASE}/requests.json", valid_post(world, media_url=media.url("/photo.jpg")))
    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get()
    photo = complaint.photos.get()
    assert (photo.width, photo.height, photo.is_proof) == (40, 30, False)
    assert complaint.attributes["_media_status"] == "stored"
    version = complaint.version
    assert attach_open311_media(complaint.pk) == "stored"  # a retried task adds nothing
    assert complaint.photos.count() == 1
    assert Complaint.objects.get().version == version


@override_settings(BALAI_MEDIA_FETCH_PRIVATE=True)
def test_media_url_that_is_no_image_leaves_the_report_and_says_why(
    client: Client,
    world: dict[str, Any],  # noqa: F811 - the fixture imported above
    media: MediaServer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{BASE}/requests.json", valid_post(world, media_url=media.url("/page.html")))
    assert response.status_code == 201
    complaint = Complaint.objects.get()
    assert not complaint.photos.exists()
    assert complaint.attributes["_media_status"] == "failed"
    assert complaint.attributes["_media_error"]


def test_media_url_from_our_network_is_not_fetched_in_production_settings(
    client: Client,
    world: dict[str, Any],  # noqa: F811 - the fixture imported above
    media: MediaServer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{BASE}/requests.json", valid_post(world, media_url=media.url("/photo.jpg")))
    complaint = Complaint.objects.get()
    assert complaint.attributes["_media_status"] == "failed"
    assert "non-public" in complaint.attributes["_media_error"]
    assert media.hits == []
