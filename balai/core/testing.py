"""The shared story every module's tests use, and the scoping contract every module inherits.

Story (ARCHITECTURE §8): a citizen, a clerk of Kelurahan Mentaos, a clerk of Kelurahan Komet who
must see nothing of Mentaos, an SKPD operator, a camat, the head of region, an auditor, an admin
and an integration account.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import Any

from balai.org import services as org
from balai.org.choices import UnitKind
from balai.org.models import OrgUnit, User
from balai.org.roles import Role

PASSWORD = "Balai-Test-2026!"  # noqa: S105 - test fixture, not a secret
ADMIN_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - test fixture


@dataclass
class Story:
    root: OrgUnit
    kec_utara: OrgUnit
    mentaos: OrgUnit
    komet: OrgUnit
    diskominfo: OrgUnit
    dinkes: OrgUnit
    citizen: User
    mentaos_clerk: User
    komet_clerk: User
    skpd_operator: User
    camat: User
    head: User
    auditor: User
    admin: User
    integration: User

    def token(self, user: User, name: str = "test") -> str:
        _token, secret = org.token_create(actor=None, user=user, name=name)
        return secret


def build_story() -> Story:
    root = org.pemda_init(actor=None, wilayah_code="63.72").root
    units = {u.code: u for u in OrgUnit.objects.all()}
    diskominfo = org.orgunit_create(
        actor=None,
        parent=root,
        name="Dinas Komunikasi dan Informatika",
        short_name="Diskominfo",
        kind=UnitKind.PERANGKAT_DAERAH,
        code="DISKOMINFO",
    )
    dinkes = org.orgunit_create(
        actor=None,
        parent=root,
        name="Dinas Kesehatan",
        short_name="Dinkes",
        kind=UnitKind.PERANGKAT_DAERAH,
        code="DINKES",
    )

    def user(username: str, role: str | None, unit: OrgUnit | None, **kw: Any) -> User:
        u = org.user_create(
            actor=None,
            username=username,
            full_name=username.replace("_", " ").title(),
            password=None if kw.get("is_integration") else PASSWORD,
            **kw,
        )
        if role and unit:
            org.role_assign(actor=None, user=u, role=role, org_unit=unit)
        return u

    admin = user("admin", Role.ADMIN, root)
    org.totp_set_secret(user=admin, secret=ADMIN_TOTP_SECRET)
    return Story(
        root=root,
        kec_utara=units["63.72.04"],
        mentaos=units["63.72.04.1002"],
        komet=units["63.72.04.1003"],
        diskominfo=diskominfo,
        dinkes=dinkes,
        citizen=user("warga", None, None),
        mentaos_clerk=user("clerk_mentaos", Role.KELURAHAN_OPERATOR, units["63.72.04.1002"]),
        komet_clerk=user("clerk_komet", Role.KELURAHAN_OPERATOR, units["63.72.04.1003"]),
        skpd_operator=user("operator_kominfo", Role.SKPD_OPERATOR, diskominfo),
        camat=user("camat_utara", Role.CAMAT, units["63.72.04"]),
        head=user("walikota", Role.HEAD_OF_REGION, root),
        auditor=user("auditor", Role.AUDITOR, root),
        admin=admin,
        integration=user("app_absensi", Role.INTEGRATION, root, is_integration=True),
    )


class ScopingContract:
    """Inherit in a module's tests and implement :meth:`mentaos_urls` (HTML) and :meth:`mentaos_api_urls`.

    Proves the rule of ARCHITECTURE §3.2: a Komet clerk gets 404, never 403, on every Mentaos
    object, in HTML and API, while the Mentaos clerk opens them.
    """

    def mentaos_urls(self, story: Story) -> list[str]:
        raise NotImplementedError

    def mentaos_api_urls(self, story: Story) -> list[str]:
        return []

    def test_other_kelurahan_gets_404_in_html(self, client: Any, story: Story) -> None:
        client.force_login(story.komet_clerk)
        for url in self.mentaos_urls(story):
            assert client.get(url).status_code == 404, url

    def test_own_kelurahan_opens_in_html(self, client: Any, story: Story) -> None:
        client.force_login(story.mentaos_clerk)
        for url in self.mentaos_urls(story):
            assert client.get(url).status_code == 200, url

    def test_other_kelurahan_gets_404_in_api(self, client: Any, story: Story) -> None:
        secret = story.token(story.komet_clerk)
        for url in self.mentaos_api_urls(story):
            assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 404, url

    def test_own_kelurahan_opens_in_api(self, client: Any, story: Story) -> None:
        secret = story.token(story.mentaos_clerk)
        for url in self.mentaos_api_urls(story):
            assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200, url


TOKEN_RE = re.compile(r"balai_[0-9a-f]{8}_[A-Za-z0-9_-]{20,}")


def token_in(html: str) -> str:
    """The API token secret shown on a page (it is shown once, so tests read it from the HTML)."""
    match = TOKEN_RE.search(html)
    assert match is not None, "no token secret on the page"
    return match.group(0)


def sign_in(client: Any, user: User) -> None:
    """Signed in with the second factor passed (what the sign-in flow ends with for admins)."""
    from balai.org.middleware import SESSION_KEY

    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = True
    session.save()


def pdf_streams(data: bytes) -> list[bytes]:
    """Each stream of a PDF, inflated when fpdf2 deflated it: what tests search for drawn text and images.

    The match stops at "\\nendstream" only: a deflated stream may itself end with a \\r byte, which a "\\r?\\n"
    pattern would cut off (about one PDF in 256 then failed to inflate); a decompress object ignores what
    follows the end of the deflated data.
    """
    out = []
    for match in re.finditer(rb"stream\r?\n(.*?)\nendstream", data, re.S):
        raw = match.group(1)
        try:
            out.append(zlib.decompressobj().decompress(raw))
        except zlib.error:
            out.append(raw)
    return out
