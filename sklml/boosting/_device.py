"""Which device to train on: ``device="auto"|"cpu"|"cuda"``, resolved cheaply.

Looking for a GPU must not import torch (slow) nor print driver noise, so the
CUDA driver is asked directly through ctypes; no driver means no GPU.
"""

import ctypes
import functools
import warnings


@functools.lru_cache(maxsize=None)
def cuda_device_count():
    """Number of CUDA devices the driver reports (0 without a driver)."""
    for name in ("libcuda.so.1", "libcuda.so", "nvcuda.dll", "libcuda.dylib"):
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        try:
            if lib.cuInit(0) != 0:
                return 0
            count = ctypes.c_int(0)
            if lib.cuDeviceGetCount(ctypes.byref(count)) != 0:
                return 0
            return int(count.value)
        except (AttributeError, OSError):
            return 0
    return 0


def resolve_device(device, library_has_cuda, library_name, estimator_name):
    """``"cpu"`` or the GPU device to train on: what ``device`` means here.

    ``None`` and ``"cpu"`` mean the CPU; ``"auto"`` a GPU when one is usable;
    ``"cuda"``, ``"cuda:N"`` or ``"gpu"`` without a usable GPU warn and fall
    back to the CPU, saying so.
    """
    if device is None or device == "cpu":
        return "cpu"
    usable = cuda_device_count() > 0 and library_has_cuda()
    if usable:
        return "cuda" if device == "auto" else device
    if device != "auto":
        why = (
            "no CUDA GPU was found"
            if cuda_device_count() == 0
            else f"the installed {library_name} was built without CUDA support"
        )
        warnings.warn(
            f"{estimator_name}: device={device!r} was requested but {why}; "
            "training on the CPU instead (device_='cpu').",
            UserWarning,
            stacklevel=3,
        )
    return "cpu"
