from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from balai.complaints.choices import OPEN_STATUSES, Channel, Classification, Status, UpdateKind
from balai.core.scoping import PATH_SEGMENT, ScopedQuerySet, scope_unit_ids, user_scope_paths
from balai.org.choices import UnitKind


class Category(models.Model):
    """What a report is about (roads, street lights, illegal parking...): also an Open311 service."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_id = models.CharField(_("name (Indonesian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    description_id = models.TextField(_("description (Indonesian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    classification = models.CharField(
        _("default classification"), max_length=20, choices=Classification.choices, default=Classification.PENGADUAN
    )
    # LAPOR! ladder (KemenPAN-RB), in working days: first response 3; information or complaint 5; dispute
    # without field inspection 14; with field inspection 60. Configurable per category.
    first_response_days = models.PositiveSmallIntegerField(_("first response within (working days)"), default=3)
    resolution_days = models.PositiveSmallIntegerField(_("resolution within (working days)"), default=5)
    default_unit = models.ForeignKey(
        "org.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("default responsible unit"),
    )
    #: Open311 service definition attributes: [{"code", "datatype", "required", "description", "values"}]
    attributes = models.JSONField(default=list, blank=True)
    keywords = models.CharField(max_length=255, blank=True)
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveIntegerField(default=100)
    # Moves at every save: web processes keep the active categories in memory and re-read them when the
    # stamp of the table moves (balai.complaints.selectors.active_category).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("report category")
        verbose_name_plural = _("report categories")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "id").startswith("en") else self.name_id


class RoutingRule(models.Model):
    """Category + kelurahan → the unit that handles it (e.g. street lights in Mentaos → Dinas Perhubungan)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="routing_rules")
    territory = models.ForeignKey("org.OrgUnit", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.OrgUnit", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["category", "territory"], name="uniq_routing_rule")]

    def __str__(self) -> str:
        return f"{self.category_id}@{self.territory_id} → {self.unit_id}"


#: Most unit ids a scope filter lists literally (see ComplaintQuerySet.visible_to).
SCOPE_ID_LIST = 500
#: What a report's territory can be: where it happened, down to the RT.
TERRITORY_KINDS = (UnitKind.KELURAHAN, UnitKind.DESA, UnitKind.RW, UnitKind.RT)
#: The conditions of the partial indexes. PostgreSQL uses such an index when the query implies its condition;
#: SQLite only when the query states it with the values written in, hence ``literal_in`` (balai.core.lookups)
#: in the queries' copies (the *_Q below); test_partial_index_conditions keeps each pair identical in SQL.
INCOMING = [Status.RECEIVED.value, Status.POSTPONED.value]
OPEN = sorted(s.value for s in OPEN_STATUSES)
_NOT_PUBLIC = [Status.RECEIVED.value, Status.POSTPONED.value, Status.ARCHIVED.value]
#: What ComplaintQuerySet.public() shows; also the condition of its partial index.
PUBLIC = Q(is_confidential=False, is_hidden=False) & ~Q(status__in=_NOT_PUBLIC)
INCOMING_Q = Q(status__literal_in=INCOMING)
OPEN_Q = Q(status__literal_in=OPEN)
PUBLIC_Q = Q(is_confidential=False, is_hidden=False) & ~Q(status__literal_in=_NOT_PUBLIC)


class ComplaintQuerySet(ScopedQuerySet["Complaint"]):
    """A report belongs to two places: the territory it happened in and the unit it was disposed to.

    A kelurahan clerk and the camat see reports of their territory; agency staff see the reports disposed
    to their agency; the complaint desk (scoped at the Pemda root) sees all of them.
    """

    def visible_to(self, user: Any, action: str = "view") -> ComplaintQuerySet:
        paths = user_scope_paths(user, action)
        if paths is None or any(len(p) == PATH_SEGMENT for p in paths):
            # A superuser or the complaint desk (scoped at the Pemda root): every report, also one with neither
            # a kelurahan nor a unit yet (an Open311 report located by its address only).
            return self
        units = scope_unit_ids(user, action)
        assert units is not None  # only for a superuser, handled above
        # The units' ids, not a join on their paths: the filter stays on this table, so the database reads a
        # page of the newest reports from an index instead of joining every report to its units. A few ids
        # (a kelurahan, an agency) go in as a list the planner can use its indexes with; a whole kecamatan's
        # thousands of RT stay a subquery. Only a kelurahan, desa, RW or RT can be a report's territory: an
        # agency's own ids are left out of that branch, and with none left it is dropped (SQLite otherwise
        # checked the territory of every open report of the agency's index range: bench/).
        few = list(units.values_list("pk", "kind")[: SCOPE_ID_LIST + 1])
        if len(few) > SCOPE_ID_LIST:
            return self.filter(Q(territory_id__in=units) | Q(unit_id__in=units))
        places = [pk for pk, kind in few if kind in TERRITORY_KINDS]
        ids = [pk for pk, _kind in few]
        if places:
            return self.filter(Q(territory_id__in=places) | Q(unit_id__in=ids))
        # Through an alias, so a select_related("unit") stays an outer join: filtered on unit_id directly, the
        # ORM made it an inner join, and SQLite then started from the unit and sorted its 140,000 reports for a
        # page of 25 (300 ms at a million reports, instead of reading the newest ones in order; bench/).
        return self.alias(scope_unit_id=F("unit_id")).filter(scope_unit_id__in=ids)

    def public(self) -> ComplaintQuerySet:
        """What anyone may see on the public map and list: not confidential, not hidden, verified onwards."""
        return self.filter(PUBLIC_Q)  # the very condition of the partial index complaint_public


class Complaint(models.Model):
    tracking_code = models.CharField(_("tracking code"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    # No single-column index on category or territory: the composite indexes below lead with them, and each
    # index is one more write on every report filed (intake speed, bench/).
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("category"), db_index=False
    )
    classification = models.CharField(_("classification"), max_length=20, choices=Classification.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    description = models.TextField(_("description"), max_length=4000)
    public_description = models.TextField(
        _("description for the public"), blank=True, help_text=_("Moderated text shown publicly; empty = the original.")
    )
    tags = models.JSONField(default=list, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    territory = models.ForeignKey(
        "org.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("kelurahan"),
        db_index=False,
    )
    unit = models.ForeignKey(
        "org.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible unit"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    reporter_name = models.CharField(_("reporter name"), max_length=120, blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=20, blank=True)
    reporter_email = models.EmailField(_("reporter email"), blank=True)
    #: WhatsApp wa_id, Telegram chat id or Open311 account/device id: where updates are sent back.
    reporter_ref = models.CharField(max_length=64, blank=True)
    is_anonymous = models.BooleanField(_("anonymous (anonim)"), default=False)
    is_confidential = models.BooleanField(_("confidential (rahasia)"), default=False)
    is_hidden = models.BooleanField(_("hidden by a moderator"), default=False)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    not_authority_of = models.CharField(_("authority named"), max_length=200, blank=True)
    attributes = models.JSONField(default=dict, blank=True)  # Open311 attribute[CODE] answers
    received_at = models.DateTimeField(_("received at"), db_index=True)
    first_response_due = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    #: When the overdue first response / resolution was escalated; each breach escalates once.
    first_response_escalated_at = models.DateTimeField(null=True, blank=True)
    resolution_escalated_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    #: Bumped by every service write: a form posted against an older version is refused (no lost update).
    version = models.PositiveIntegerField(default=1)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "received_at"], name="complaint_status_received"),
            # Lists filtered by category (and status) read the newest reports in order, without a sort (bench/).
            models.Index(fields=["category", "status", "received_at"], name="complaint_category_status"),
            models.Index(fields=["category", "received_at"], name="complaint_category_received"),
            models.Index(fields=["territory", "received_at"], name="complaint_territory_received"),
            models.Index(fields=["latitude", "longitude"], name="complaint_latlon"),
            # The public map, list and Open311, newest first: a burst of new (not yet public) reports at the
            # top of the table is not even in this index, and intake never writes to it.
            models.Index(fields=["-received_at", "-id"], name="complaint_public", condition=PUBLIC),
            # The complaint desk's default tab, newest first.
            models.Index(fields=["-received_at", "-id"], name="complaint_incoming", condition=Q(status__in=INCOMING)),
            # Overdue open reports: a unit's "overdue only" list reads its own range; the escalation job and the
            # desk's overdue filter scan the whole index, which holds only open reports (a few percent).
            models.Index(
                fields=["unit", "resolution_due"], name="complaint_open_unit_due", condition=Q(status__in=OPEN)
            ),
            # The per-phone limit of public intake counts a phone's recent reports at every report filed.
            models.Index(fields=["reporter_phone", "received_at"], name="complaint_phone_received"),
        ]
        verbose_name = _("citizen report")
        verbose_name_plural = _("citizen reports")

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.title or self.category}"

    @property
    def is_open(self) -> bool:
        from balai.complaints.choices import OPEN_STATUSES

        return self.status in OPEN_STATUSES


class ComplaintUpdate(models.Model):
    """One entry of a report's timeline."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=20, choices=UpdateKind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_from = models.CharField(max_length=20, blank=True)
    status_to = models.CharField(max_length=20, blank=True)
    unit = models.ForeignKey("org.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(blank=True)
    is_public = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind} {self.status_to}"


def photo_path(instance: ComplaintPhoto, filename: str) -> str:
    return f"complaints/{instance.complaint.received_at:%Y/%m}/{instance.complaint.tracking_code}/{filename}"


class ComplaintPhoto(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="photos")
    update = models.ForeignKey(ComplaintUpdate, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos")
    image = models.ImageField(upload_to=photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    is_proof = models.BooleanField(default=False)
    is_hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"photo {self.pk} of {self.complaint_id}"


class Follower(models.Model):
    """Someone who gets the updates of a report (its reporter; reporters of merged duplicates)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="followers")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    address = models.CharField(max_length=254)  # phone, email, wa_id or Telegram chat id

    class Meta:
        constraints = [models.UniqueConstraint(fields=["complaint", "channel", "address"], name="uniq_follower")]

    def __str__(self) -> str:
        return f"{self.channel}:{self.address}"


class Open311Client(models.Model):
    """An app allowed to POST reports through Open311; its api_key is stored hashed."""

    name = models.CharField(_("name"), max_length=100)
    key_prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class InboundMessage(models.Model):
    """A chat message already seen: platforms redeliver, and a message id must make one report at most."""

    channel = models.CharField(max_length=20, choices=Channel.choices)
    message_id = models.CharField(max_length=128)
    sender = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "message_id"], name="uniq_inbound_message")]

    def __str__(self) -> str:
        return f"{self.channel}:{self.message_id}"


class ChatSession(models.Model):
    """Where a citizen is in the bot conversation (photo → location → description → category)."""

    channel = models.CharField(max_length=20, choices=Channel.choices)
    sender = models.CharField(max_length=64)
    state = models.CharField(max_length=30, default="start")
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "sender"], name="uniq_chat_session")]

    def __str__(self) -> str:
        return f"{self.channel}:{self.sender} {self.state}"
