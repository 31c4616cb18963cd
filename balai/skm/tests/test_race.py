"""Two submissions with the same token at the same moment give one response (PostgreSQL, real threads)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from balai.skm import services
from balai.skm.models import SkmResponse
from balai.skm.tests.conftest import ALL_FOUR, serve


@pytest.mark.django_db(transaction=True)
def test_double_submit_with_one_token_stores_one_response(story: Any, mentaos_service: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks between threads need PostgreSQL (SQLite's test database is in memory)")
    token = services.invitation_create(event=serve(mentaos_service))
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    lock = threading.Lock()

    def submit() -> None:
        try:
            barrier.wait()
            services.response_submit(token=token, answers=ALL_FOUR)
            result = "stored"
        except services.SurveyLinkInvalid as exc:
            result = exc.reason
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=submit) for _i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["stored", "used", "used", "used"]
    assert SkmResponse.objects.count() == 1
