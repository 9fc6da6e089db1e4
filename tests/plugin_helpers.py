"""Build real installed-distribution metadata (``*.dist-info``) in a folder."""

import shutil
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1] / "examples" / "plugin_template"


def make_distribution(root, name, version, entry_points, copy_template=False):
    """Write ``name-version.dist-info`` with METADATA and entry_points.txt under root."""
    root = Path(root)
    info = root / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    )
    lines = ["[sklml.estimators]"] + [f"{k} = {v}" for k, v in entry_points.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    if copy_template:
        shutil.copytree(
            TEMPLATE / "sklml_plugin_template", root / "sklml_plugin_template"
        )
    return root
