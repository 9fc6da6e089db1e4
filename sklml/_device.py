"""sklml's one device policy: what ``device=`` means in every family.

Every estimator that can train on a GPU (the torch families, the RL agents,
the XGBoost and CatBoost adapters) resolves its ``device`` here, by the same
rules and with the same messages:

* ``"cpu"`` (or ``None``, XGBoost's default): the CPU.
* ``"auto"``: the first CUDA GPU when one is usable, else the CPU, silently.
* ``"cuda"`` or ``"cuda:N"`` (``"gpu"``, ``"gpu:N"``: XGBoost's and
  CatBoost's spelling of the same): that GPU when one is usable; without one
  a :class:`UserWarning` "``<estimator>: device='cuda' was asked for but CUDA
  is not available ...; training on the CPU``", and the CPU. A script written
  on a GPU machine so runs unchanged on a laptop (XGBoost's behaviour).
* anything else: :class:`ValueError` "``device must be 'auto', 'cpu', 'cuda'
  or 'cuda:N'``".

"Usable" means that the machine has a CUDA GPU visible to this process *and*
that the training library can use it. The machine's GPUs are counted without
importing torch (slow, and not a dependency of the boosting family) and
without creating a CUDA context: NVIDIA's management library (NVML,
``libnvidia-ml``, shipped with the driver) is asked through ``ctypes``, which
leaves a later ``fork`` free to use CUDA; where NVML is missing, the driver
API (``cuInit``/``cuDeviceGetCount``) is asked instead. ``CUDA_VISIBLE_DEVICES``
limits the count as it limits CUDA. No driver means no GPU. The count is
taken once per process.

Each family says what its library can use (``gpu_count``): the adapters ask
``xgboost.build_info()`` / ``catboost.utils.get_gpu_device_count()`` only when
the machine has a GPU; the torch families (:func:`sklml._training.resolve_device`)
ask torch, which they import anyway, so a GPU that torch drives through
another runtime (ROCm) counts for them too.

This module imports neither torch nor a boosting library.

Examples
--------
>>> from sklml._device import resolve_device
>>> resolve_device("cpu")
'cpu'
>>> resolve_device("auto", gpu_count=lambda: 0)
'cpu'
"""

import ctypes
import functools
import os
import re
import warnings

__all__ = ["cuda_device_count", "parse_device", "resolve_device", "DEVICE_ERROR"]

#: the start of the message of the ValueError an invalid ``device`` raises
DEVICE_ERROR = "device must be 'auto', 'cpu', 'cuda' or 'cuda:N'"

_DEVICE = re.compile(r"(auto|cpu|cuda|gpu)(?::(\d+))?")


def parse_device(device):
    """``device`` checked and spelt the policy's way: ``"auto"``, ``"cpu"``,
    ``"cuda"`` or ``"cuda:N"`` (``None`` -> ``"cpu"``, ``"gpu"`` -> ``"cuda"``).

    Parameters
    ----------
    device : str or None

    Returns
    -------
    str

    Raises
    ------
    ValueError
        For anything else.

    Examples
    --------
    >>> parse_device("gpu:1")
    'cuda:1'
    """
    if device is None:
        return "cpu"
    match = _DEVICE.fullmatch(device) if isinstance(device, str) else None
    if match is None or (match.group(2) is not None and match.group(1) in ("auto", "cpu")):
        raise ValueError(f"{DEVICE_ERROR} ('gpu' is taken for 'cuda'), got {device!r}")
    kind = "cuda" if match.group(1) == "gpu" else match.group(1)
    return kind if match.group(2) is None else f"{kind}:{match.group(2)}"


def _visible_limit(environ=None):
    """How many devices ``CUDA_VISIBLE_DEVICES`` lets CUDA see (None: no limit).

    CUDA reads the list up to its first invalid entry ("-1" hides them all).
    """
    value = (os.environ if environ is None else environ).get("CUDA_VISIBLE_DEVICES")
    if value is None:
        return None
    count = 0
    for entry in value.split(","):
        entry = entry.strip()
        if not (entry.isdigit() or entry.startswith(("GPU-", "MIG-"))):
            break
        count += 1
    return count


def _nvml_count():
    """GPUs NVML reports, or None when NVML cannot be loaded."""
    for name in ("libnvidia-ml.so.1", "libnvidia-ml.so", "nvml.dll"):
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        try:
            init = getattr(lib, "nvmlInit_v2", None) or lib.nvmlInit
            if init() != 0:
                return 0
            count = ctypes.c_uint(0)
            get_count = getattr(lib, "nvmlDeviceGetCount_v2", None) or lib.nvmlDeviceGetCount
            status = get_count(ctypes.byref(count))
            lib.nvmlShutdown()
            return int(count.value) if status == 0 else 0
        except (AttributeError, OSError):
            return 0
    return None


def _driver_count():
    """GPUs the CUDA driver API reports (0 without a driver)."""
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


@functools.lru_cache(maxsize=None)
def cuda_device_count():
    """Number of CUDA GPUs this process can see (0 without a driver).

    Returns
    -------
    int
    """
    count = _nvml_count()
    if count is None:
        count = _driver_count()
    limit = _visible_limit()
    return count if limit is None else min(count, limit)


def resolve_device(device, estimator_name="estimator", *, gpu_count=None, library_name=None):
    """The device to train on, by sklml's one policy (see the module's text).

    Parameters
    ----------
    device : str or None
        ``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:N"`` (or ``"gpu"``,
        ``"gpu:N"``), or None for the CPU.
    estimator_name : str, default="estimator"
        Named in the warning.
    gpu_count : callable, default=None
        Number of GPUs the training library can use, called only when a GPU
        is asked for; None: the GPUs of the machine (:func:`cuda_device_count`).
    library_name : str, default=None
        The library named when the machine has a GPU that it cannot use.

    Returns
    -------
    str
        ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.

    Raises
    ------
    ValueError
        For an invalid ``device``.

    Examples
    --------
    >>> resolve_device(None)
    'cpu'
    """
    device = parse_device(device)
    if device == "cpu":
        return "cpu"
    usable = (gpu_count or cuda_device_count)() > 0
    if device == "auto":
        return "cuda" if usable else "cpu"
    if usable:
        return device
    if gpu_count is None or cuda_device_count() == 0 or not library_name:
        where = "on this machine"
    else:
        where = f"to {library_name} (it was built without CUDA support)"
    warnings.warn(
        f"{estimator_name}: device={device!r} was asked for but CUDA is not available "
        f"{where}; training on the CPU",
        UserWarning,
        stacklevel=3,
    )
    return "cpu"
