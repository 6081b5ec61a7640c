"""Test-suite wide settings."""


def pytest_configure(config):
    """Register the ``slow`` marker (tests that build environments or run subprocesses)."""
    config.addinivalue_line("markers", "slow: takes more than ~20 s (still part of the default run)")
