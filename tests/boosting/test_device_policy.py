"""sklml's one device policy (sklml/_device.py): the same rules, error type and
warning text for the boosting adapters and the torch families, and a GPU found
without importing torch."""

import re
import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification

from sklml import _device
from sklml._device import DEVICE_ERROR, parse_device, resolve_device
from sklml.boosting import CatBoostClassifier, CatBoostRegressor, XGBClassifier, XGBRegressor

ADAPTERS = [XGBClassifier, XGBRegressor, CatBoostClassifier, CatBoostRegressor]


@pytest.fixture
def machine(monkeypatch):
    """Pretend the machine has ``machine(n)`` GPUs (the driver's count)."""

    def set_count(n):
        monkeypatch.setattr(_device, "cuda_device_count", lambda: n)

    return set_count


def _fit_warnings(cls, device):
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    model = cls(n_estimators=3, max_depth=2, device=device)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    return model, [str(w.message) for w in caught if w.category is UserWarning]


@pytest.mark.parametrize("device, expected", [
    (None, "cpu"), ("cpu", "cpu"), ("auto", "auto"), ("cuda", "cuda"), ("cuda:1", "cuda:1"),
    ("gpu", "cuda"), ("gpu:0", "cuda:0"),
])
def test_device_spellings(device, expected):
    assert parse_device(device) == expected


@pytest.mark.parametrize("device", ["tpu", "CUDA", "cuda:", "cuda:x", "cpu:0", "auto:1", 0, ""])
def test_bad_device_is_a_value_error(device):
    with pytest.raises(ValueError, match=re.escape(DEVICE_ERROR)):
        resolve_device(device)


def test_no_gpu_auto_is_cpu_silently_and_cuda_warns(machine):
    machine(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert resolve_device("auto", "E") == "cpu"
        assert resolve_device("cpu", "E") == "cpu"
    with pytest.warns(UserWarning) as record:
        assert resolve_device("cuda:1", "E") == "cpu"
    assert str(record[0].message) == ("E: device='cuda:1' was asked for but CUDA is not "
                                      "available on this machine; training on the CPU")


def test_gpu_the_library_cannot_use_names_the_library(machine):
    machine(1)
    assert resolve_device("auto", gpu_count=lambda: 0, library_name="xgboost") == "cpu"
    with pytest.warns(UserWarning, match=r"not available to xgboost \(it was built without"):
        assert resolve_device("cuda", "E", gpu_count=lambda: 0, library_name="xgboost") == "cpu"


def test_usable_gpu_is_taken(machine):
    machine(2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert resolve_device("auto") == "cuda"
        assert resolve_device("gpu:1") == "cuda:1"
        assert resolve_device("cuda", gpu_count=lambda: 1) == "cuda"


@pytest.mark.parametrize("value, limit", [
    (None, None), ("", 0), ("-1", 0), ("0", 1), ("0,1", 2), ("1,-1,0", 1), ("GPU-abc,MIG-d", 2),
])
def test_cuda_visible_devices_limits_the_count(value, limit):
    environ = {} if value is None else {"CUDA_VISIBLE_DEVICES": value}
    assert _device._visible_limit(environ) == limit


@pytest.mark.parametrize("cls", ADAPTERS)
def test_adapters_follow_the_policy_without_a_gpu(cls, machine):
    machine(0)
    auto, caught = _fit_warnings(cls, "auto")
    assert auto.device_ == "cpu" and caught == []
    model, caught = _fit_warnings(cls, "cuda")
    assert model.device_ == "cpu"
    assert caught == [f"{cls.__name__}: device='cuda' was asked for but CUDA is not "
                      "available on this machine; training on the CPU"]
    np.testing.assert_array_equal(model.predict(np.ones((2, 4))), auto.predict(np.ones((2, 4))))


@pytest.mark.parametrize("cls", [XGBClassifier, CatBoostClassifier])
def test_adapter_on_a_gpu_its_library_cannot_use_says_so(cls, machine, monkeypatch):
    machine(1)
    module = sys.modules[cls.__module__]
    count = "_xgboost_gpu_count" if cls is XGBClassifier else "_catboost_gpu_count"
    monkeypatch.setattr(module, count, lambda: 0)
    model, caught = _fit_warnings(cls, "cuda")
    library = "xgboost" if cls is XGBClassifier else "catboost"
    assert model.device_ == "cpu"
    assert caught == [f"{cls.__name__}: device='cuda' was asked for but CUDA is not "
                      f"available to {library} (it was built without CUDA support); "
                      "training on the CPU"]


def test_torch_families_and_adapters_say_the_same(machine):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a GPU is present: no fallback to compare")
    from sklml._training import resolve_device as training_resolve_device

    machine(0)
    with pytest.warns(UserWarning) as record:
        assert training_resolve_device("cuda", "XGBClassifier") == "cpu"
    _, caught = _fit_warnings(XGBClassifier, "cuda")
    assert [str(w.message) for w in record] == caught
    with pytest.raises(ValueError, match=re.escape(DEVICE_ERROR)):
        training_resolve_device("tpu")


def test_boosting_finds_devices_without_importing_torch():
    code = ("import sys; from sklml.boosting import XGBClassifier, CatBoostClassifier; "
            "from sklml._device import cuda_device_count; "
            "XGBClassifier(n_estimators=2, device='auto').fit([[0.], [1.]], [0, 1]); "
            "CatBoostClassifier(iterations=2, device='auto').fit([[0.], [1.]], [0, 1]); "
            "cuda_device_count(); print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
