import pytest
import torch


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread():
    """Tests run two xdist workers on two cores: one torch thread each."""
    torch.set_num_threads(1)
