import pytest


@pytest.fixture(autouse=True, scope="session")
def _one_thread_per_worker():
    """pytest-xdist runs one worker per core: more BLAS or torch threads per
    worker oversubscribe the cores and slow the suite many times over."""
    from threadpoolctl import threadpool_limits

    try:
        import torch
    except ImportError:  # pragma: no cover
        torch = None
    n = torch.get_num_threads() if torch else None
    if torch:
        torch.set_num_threads(1)
    with threadpool_limits(1):
        yield
    if torch:
        torch.set_num_threads(n)


@pytest.fixture(autouse=True)
def _fresh_registry():
    """Tests that put plugins on sys.path must not leak them into other tests."""
    from sklml.registry import clear_cache

    yield
    clear_cache()


def _plain(value):
    """numpy scalars and containers of them as plain Python values (xdist cannot send numpy types)."""
    if isinstance(value, dict):
        return {key: _plain(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value.item() if hasattr(value, "item") and getattr(value, "ndim", None) == 0 else value


@pytest.fixture
def record_property(record_property):
    """pytest's ``record_property`` (the seed tables' figures) that also works under pytest-xdist."""

    def record(name, value):
        record_property(name, _plain(value))

    return record
