"""Hypothesis profiles for the property suite. `ci` (chosen when CI is set) is derandomized:
the same examples every run, so CI is reproducible; `dev` explores new ones each run. Both are
bounded so the whole suite stays under a minute on a 2-core machine (pyx12 validates each file)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]
# deadline None: pyx12 takes tenths of a second per file, and the time varies with the machine's load
settings.register_profile(
    "ci", derandomize=True, database=None, print_blob=True, deadline=None, suppress_health_check=_SLOW
)
settings.register_profile("dev", print_blob=True, deadline=None, suppress_health_check=_SLOW)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))
