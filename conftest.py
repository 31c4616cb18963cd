from __future__ import annotations

import pytest

from balai.core.testing import Story, build_story


@pytest.fixture
def story(db: None) -> Story:
    return build_story()
