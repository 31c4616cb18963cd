from balai.scorecards.tests.conftest import english, indicators, scored  # noqa: F401 - shared fixtures
