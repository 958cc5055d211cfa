"""Shared test settings.

Property-based tests use hypothesis with two profiles: ``default`` (a bounded number of
examples, so the whole suite stays fast) and ``ci`` (more examples; select it with
``python -m pytest --hypothesis-profile=ci``).
"""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", max_examples=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci", max_examples=300, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("default")
