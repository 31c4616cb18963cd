"""The demo logins: one account per role, on the units the shared story uses."""

from __future__ import annotations

from dataclasses import dataclass

from balai.org.roles import Role

PASSWORD = "Demo-Balai-2026"  # noqa: S105 - the demo's published password
# Fixed so the README and browser tests can rely on it; `balai totp admin` prints the current code.
ADMIN_TOTP_SECRET = "BALAIDEMOBANJARBARUWITAKALSEL234"  # noqa: S105 - published with the demo
ROOT = "63.72"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    unit_code: str
    full_name: str  # used when no ASN record is linked
    # Link to the ASN who holds this post in the generated register: (unit code, position).
    post: tuple[str, str] | None = None
    is_integration: bool = False


ACCOUNTS = [
    DemoAccount("walikota", Role.HEAD_OF_REGION, ROOT, "Wali Kota Banjarbaru (demo)"),
    DemoAccount("admin", Role.ADMIN, ROOT, "Administrator Balai", ("DISKOMINFO", "Pranata Komputer Ahli Muda")),
    DemoAccount(
        "operator.kominfo",
        Role.SKPD_OPERATOR,
        "DISKOMINFO",
        "Operator Diskominfo",
        ("DISKOMINFO", "Pranata Komputer Ahli Pertama"),
    ),
    DemoAccount("kadis.kominfo", Role.SKPD_HEAD, "DISKOMINFO", "Kepala Dinas Kominfo", ("DISKOMINFO", "Kepala Dinas")),
    DemoAccount("camat.utara", Role.CAMAT, "63.72.04", "Camat Banjarbaru Utara", ("63.72.04", "Camat")),
    DemoAccount("lurah.mentaos", Role.KELURAHAN_OPERATOR, "63.72.04.1002", "Lurah Mentaos", ("63.72.04.1002", "Lurah")),
    DemoAccount("lurah.komet", Role.KELURAHAN_OPERATOR, "63.72.04.1003", "Lurah Komet", ("63.72.04.1003", "Lurah")),
    DemoAccount("auditor", Role.AUDITOR, ROOT, "Auditor Inspektorat", ("INSPEKTORAT", "Auditor Ahli Muda")),
    DemoAccount("app.absensi", Role.INTEGRATION, ROOT, "Aplikasi Absensi ASN", is_integration=True),
]
