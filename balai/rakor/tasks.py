"""Background work of rakor packs: one task per pack, enqueued when it is asked for."""

from __future__ import annotations

from django_tasks import task


@task()
def build_pack(pack_id: int) -> str:
    from balai.rakor.services import rakor_pack_build

    return str(rakor_pack_build(pack_id=pack_id).status)
