"""The org tree pages: scoped browsing, lazy children, admin edits and the RW/RT CSV import."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from balai.core.testing import Story, sign_in
from balai.org import services
from balai.org.choices import UnitKind
from balai.org.models import OrgUnit
from balai.org.views_tree import Node

pytestmark = pytest.mark.django_db

MENTAOS = "63.72.04.1002"
# session, user, role assignments, home units, the tree itself
QUERIES_TREE = 5
KECAMATAN = [
    "Kecamatan Landasan Ulin",
    "Kecamatan Cempaka",
    "Kecamatan Banjarbaru Utara",
    "Kecamatan Banjarbaru Selatan",
    "Kecamatan Liang Anggang",
]


@pytest.fixture(autouse=True)
def english(client: Client) -> None:
    # Assertions read the English source strings; the default language (Indonesian) would translate them.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def walk(node: Node) -> list[OrgUnit]:
    return [node.unit, *(u for kid in node.kids for u in walk(kid))]


def tree_units(response) -> list[OrgUnit]:
    return [u for node in response.context["trees"] for u in walk(node)]


def add_rw(story: Story, code: str = f"{MENTAOS}.001", name: str = "RW 001") -> OrgUnit:
    return services.orgunit_create(actor=None, parent=story.mentaos, name=name, kind=UnitKind.RW, code=code)


# ------------------------------------------------------------------------------------------ tree
def test_head_of_region_sees_the_five_kecamatan(client: Client, story: Story) -> None:
    sign_in(client, story.head)
    response = client.get(reverse("org:tree"))
    assert response.status_code == 200
    units = tree_units(response)
    assert [u.name for u in units if u.kind == UnitKind.KECAMATAN] == KECAMATAN
    assert len([u for u in units if u.kind == UnitKind.KELURAHAN]) == 20
    assert [n.unit.code for n in response.context["trees"]] == ["63.72"]
    html = response.content.decode()
    for name in KECAMATAN:
        assert name in html


def test_mentaos_clerk_sees_only_mentaos(client: Client, story: Story) -> None:
    sign_in(client, story.mentaos_clerk)
    response = client.get(reverse("org:tree"))
    assert response.status_code == 200
    assert [u.code for u in tree_units(response)] == [MENTAOS]
    html = response.content.decode()
    assert "Kelurahan Mentaos" in html
    assert "Kelurahan Komet" not in html
    assert "Kecamatan" not in html


def test_rw_are_collapsed_to_a_count_and_load_lazily_with_htmx(client: Client, story: Story) -> None:
    rw = add_rw(story)
    services.orgunit_create(actor=None, parent=rw, name="RT 001", kind=UnitKind.RT, code=f"{MENTAOS}.001.001")
    services.orgunit_create(actor=None, parent=rw, name="RT 002", kind=UnitKind.RT, code=f"{MENTAOS}.001.002")
    sign_in(client, story.camat)
    response = client.get(reverse("org:tree"))
    assert "RW 001" not in [u.name for u in tree_units(response)]
    html = response.content.decode()
    assert "Show 1 RW" in html
    assert f'hx-get="/org/units/{MENTAOS}/"' in html

    partial = client.get(reverse("org:unit_detail", args=[MENTAOS]), HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()
    assert [u.name for u in partial.context["children"]] == ["RW 001"]
    assert "Show 2 RT" in partial.content.decode()
    assert "HX-Request" in partial["Vary"]


def test_search_by_name_or_code_stays_in_scope(client: Client, story: Story) -> None:
    sign_in(client, story.camat)
    by_name = client.get(reverse("org:tree"), {"q": "komet"})
    assert [u.code for u in by_name.context["results"]] == ["63.72.04.1003"]
    by_code = client.get(reverse("org:tree"), {"q": "63.72.05"})
    assert list(by_code.context["results"]) == []  # Banjarbaru Selatan is outside the camat's kecamatan


def test_unit_detail_shows_breadcrumb_children_and_asn_counts(client: Client, story: Story) -> None:
    services.pegawai_create(actor=None, org_unit=story.mentaos, nip="198503122010011001", name="Siti Aminah")
    sign_in(client, story.mentaos_clerk)
    response = client.get(reverse("org:unit_detail", args=[MENTAOS]))
    assert response.status_code == 200
    assert [(a.code, linked) for a, linked in response.context["ancestors"]] == [("63.72", False), ("63.72.04", False)]
    assert response.context["asn_here"] == 1
    assert response.context["asn_subtree"] == 1
    assert response.context["can_edit"] is False
    assert 'href="/org/units/63.72.04/"' not in response.content.decode()


def test_other_kelurahan_gets_404_on_mentaos(client: Client, story: Story) -> None:
    sign_in(client, story.komet_clerk)
    assert client.get(reverse("org:unit_detail", args=[MENTAOS])).status_code == 404
    assert client.get(reverse("org:unit_detail", args=[MENTAOS]), HTTP_HX_REQUEST="true").status_code == 404
    assert client.get(reverse("org:unit_edit", args=[MENTAOS])).status_code == 404


# --------------------------------------------------------------------------------- admin writes
def test_admin_adds_an_rw_under_mentaos(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    url = reverse("org:unit_add_child", args=[MENTAOS])
    page = client.get(url)
    assert page.status_code == 200
    assert [value for value, _label in page.context["form"].fields["kind"].choices] == ["rw"]
    response = client.post(url, {"kind": "rw", "name": "RW 003", "code": f"{MENTAOS}.003"})
    assert response.status_code == 302
    rw = OrgUnit.objects.get(code=f"{MENTAOS}.003")
    assert (rw.parent_id, rw.kind, rw.name, rw.depth) == (story.mentaos.pk, "rw", "RW 003", 3)
    assert response["Location"] == reverse("org:unit_detail", args=[rw.code])


def test_kelurahan_operator_cannot_add_a_unit(client: Client, story: Story) -> None:
    sign_in(client, story.mentaos_clerk)
    url = reverse("org:unit_add_child", args=[MENTAOS])
    assert client.get(url).status_code == 404
    assert client.post(url, {"kind": "rw", "name": "RW 009", "code": f"{MENTAOS}.009"}).status_code == 404
    assert not OrgUnit.objects.filter(code=f"{MENTAOS}.009").exists()


def test_add_child_with_a_kind_not_allowed_there_is_refused(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    response = client.post(
        reverse("org:unit_add_child", args=[MENTAOS]), {"kind": "kecamatan", "name": "X", "code": "X1"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["kind"]
    assert not OrgUnit.objects.filter(code="X1").exists()


def test_duplicate_code_shows_the_service_message_on_the_field(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    response = client.post(
        reverse("org:unit_add_child", args=[MENTAOS]), {"kind": "rw", "name": "RW 001", "code": "63.72.04.1003"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["Code 63.72.04.1003 is already used by another unit."]


def test_admin_renames_a_unit(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    response = client.post(
        reverse("org:unit_edit", args=[MENTAOS]),
        {
            "name": "Kelurahan Mentaos Baru",
            "short_name": "Mentaos",
            "code": MENTAOS,
            "kemendagri_code": MENTAOS,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    story.mentaos.refresh_from_db()
    assert story.mentaos.name == "Kelurahan Mentaos Baru"


# ------------------------------------------------------------------------------------ CSV import
GOOD_CSV = (
    "parent_code,code,name,kind\n"
    f"{MENTAOS},{MENTAOS}.001,RW 001,rw\n"
    f"{MENTAOS}.001,{MENTAOS}.001.001,RT 001,rt\n"
    f"{MENTAOS}.001,{MENTAOS}.001.002,RT 002,rt\n"
)


def upload(client: Client, text: str, name: str = "rw.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("org:unit_import"), {"file": SimpleUploadedFile(name, text.encode(), "text/csv")})


def test_rw_rt_csv_preview_then_confirm_imports(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    preview = upload(client, GOOD_CSV)
    assert preview.status_code == 200
    assert [(r.row, r.status) for r in preview.context["report"].rows] == [
        (2, "created"),
        (3, "created"),
        (4, "created"),
    ]
    assert not OrgUnit.objects.filter(code__startswith=f"{MENTAOS}.").exists()  # a preview writes nothing
    token = preview.context["confirm"].initial["token"]
    done = client.post(reverse("org:unit_import"), {"token": token})
    assert done.status_code == 302
    assert list(OrgUnit.objects.filter(code__startswith=f"{MENTAOS}.").values_list("code", "kind")) == [
        (f"{MENTAOS}.001", "rw"),
        (f"{MENTAOS}.001.001", "rt"),
        (f"{MENTAOS}.001.002", "rt"),
    ]
    # The same token again: the stored file is gone, nothing is imported twice.
    again = client.post(reverse("org:unit_import"), {"token": token})
    assert again.status_code == 302
    assert OrgUnit.objects.filter(code__startswith=f"{MENTAOS}.").count() == 3


def test_rw_rt_csv_with_one_bad_row_imports_nothing_and_reports_the_row(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    bad = GOOD_CSV + f"{MENTAOS}.999,{MENTAOS}.999.001,RT 001,rt\n"
    preview = upload(client, bad)
    report = preview.context["report"]
    assert [(r.row, r.status) for r in report.rows] == [(2, "created"), (3, "created"), (4, "created"), (5, "error")]
    assert report.rows[3].message == f"parent unit {MENTAOS}.999 does not exist"
    assert preview.context["confirm"] is None
    html = preview.content.decode()
    assert "nothing will be imported" in html
    assert f"parent unit {MENTAOS}.999 does not exist" in html
    # Even a forced confirm of the bad file changes nothing.
    session = client.session
    stored = {"token": "t0k3n", "content": bad, "filename": "rw.csv"}
    session["balai_unit_import"] = stored
    session.save()
    forced = client.post(reverse("org:unit_import"), {"token": "t0k3n"})
    assert forced.status_code == 200
    assert forced.context["report"].has_errors
    assert not OrgUnit.objects.filter(code__startswith=f"{MENTAOS}.").exists()


def test_rw_rt_csv_with_wrong_headers_names_the_expected_ones(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    response = upload(client, "induk,kode,nama\n63.72.04.1002,x,RW\n")
    assert response.status_code == 200
    [message] = response.context["form"].errors["file"]
    assert "Expected headers: parent_code, code, name, kind" in message


def test_rw_rt_import_is_for_admins_only(client: Client, story: Story) -> None:
    sign_in(client, story.mentaos_clerk)
    assert client.get(reverse("org:unit_import")).status_code == 404


def test_rw_rt_template_is_a_csv_with_the_headers(client: Client, story: Story) -> None:
    sign_in(client, story.admin)
    response = client.get(reverse("org:unit_import"), {"template": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "parent_code,code,name,kind"
    assert lines[1] == "63.72.02.1003,63.72.02.1003.001,RW 001,rw"


def test_tree_page_query_count_does_not_grow_with_the_tree(
    client: Client, story: Story, django_assert_num_queries
) -> None:
    sign_in(client, story.head)
    client.get(reverse("org:tree"))  # warm the per-process caches (time zone, session)
    with django_assert_num_queries(QUERIES_TREE):
        client.get(reverse("org:tree"))
    for i in range(1, 4):
        add_rw(story, code=f"{MENTAOS}.{i:03d}", name=f"RW {i:03d}")
    with django_assert_num_queries(QUERIES_TREE):
        client.get(reverse("org:tree"))
