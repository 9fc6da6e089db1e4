"""``sklml export MODEL --format onnx --out model.onnx``: a file written by
:func:`sklml.io.dump` to an ONNX model (nothing is written on an error)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def add_export(sub):
    p = sub.add_parser(
        "export",
        help="export a model saved with sklml.io.dump to ONNX",
        description="Load a model written by sklml.io.dump (a .skops file; only trusted "
        "types are loaded) and write it as an ONNX model for ONNX Runtime.",
    )
    p.add_argument("model", metavar="MODEL", help="a file written by sklml.io.dump")
    p.add_argument("--format", choices=("onnx",), default="onnx", help="output format (onnx)")
    p.add_argument("--out", metavar="PATH",
                   help="file to write (default: MODEL with the suffix .onnx)")
    p.add_argument("--trust", metavar="TYPE", action="append", default=[],
                   help="also trust this type when loading MODEL (repeatable)")
    return p


def run_export(args, usage_error):
    import numpy as np
    from sklearn.exceptions import NotFittedError

    import sklml.io
    from sklml.onnx import NotExportableError, to_onnx

    out = Path(args.out) if args.out else Path(args.model).with_suffix(".onnx")
    if not out.parent.is_dir():
        raise usage_error(f"cannot write {out}: no folder {out.parent}")
    try:
        estimator = sklml.io.load(args.model, trusted=args.trust or None)
    except (OSError, ValueError, TypeError) as exc:  # missing, pickle, untrusted, corrupt
        raise usage_error(str(exc)) from None
    n_features = getattr(estimator, "n_features_in_", 1)  # agents have none: to_onnx says why
    try:
        model = to_onnx(estimator, np.zeros((1, n_features), dtype=np.float32))
    except (NotExportableError, NotFittedError, ValueError) as exc:
        raise usage_error(str(exc)) from None
    data = model.SerializeToString()
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, out)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    outputs = ", ".join(o.name for o in model.graph.output)
    print(f"wrote {out} ({len(data):,} bytes): input X float32 [N, {n_features}], "
          f"outputs {outputs}")
    return 0
