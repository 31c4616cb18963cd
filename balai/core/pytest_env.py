"""Loaded by pytest with ``-p`` (see pyproject), before Django's settings are read.

Tests run with BALAI_ENV=test (a generated secret, fast password hashing, tasks executed at once)
without every developer having to remember the variable.
"""

import os

os.environ.setdefault("BALAI_ENV", "test")
