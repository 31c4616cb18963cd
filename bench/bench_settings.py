"""Settings of the servers the benchmarks start: Balai's own, with the bare baseline views added.

Only bench/suite.py uses this module (gunicorn gets ``--pythonpath bench``); production URLs never hold
the baseline views.
"""

from balai.settings import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
