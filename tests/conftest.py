import pytest


@pytest.fixture(autouse=True)
def _fresh_registry():
    """Tests that put plugins on sys.path must not leak them into other tests."""
    from sklml.registry import clear_cache

    yield
    clear_cache()
