"""Sphinx configuration of the sklml documentation.

Build: ``python -m sphinx -W -b html docs docs/_build/html``.

The API pages are written here, at configuration time, for the families that
import: a family that does not exist yet (or fails to import) is left out
instead of breaking the build.
"""

import importlib
import inspect
import os
import re
import sys
from pathlib import Path

import sklml

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS))  # _gallery_order
os.environ.setdefault("MPLBACKEND", "Agg")

project = "sklml"
author = "sklml developers"
copyright = "sklml developers, BSD-3-Clause"
version = release = sklml.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "auto_examples/*.ipynb",
                    "auto_examples/*.py", "auto_examples/*.zip", "auto_examples/*.json"]
root_doc = "index"
default_role = "literal"
pygments_style = "sphinx"

# -- API reference --------------------------------------------------------------------------
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"
# methods inherited from other libraries (gymnasium, skorch) keep their own docstring format
autodoc_inherit_docstrings = False
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks = set()

# (module, title, one-line description) in the order of the lectures
API_MODULES = [
    ("sklml.linear_model", "Gradient-descent models",
     "Linear models trained by gradient descent: losses, optimizers, penalties."),
    ("sklml.tree", "Decision trees", "CART decision trees compiled with Numba."),
    ("sklml.ensemble", "Ensembles", "AdaBoost, random forests and Extra-Trees on the tree engine."),
    ("sklml.boosting", "Gradient boosting",
     "XGBoost and CatBoost adapters that pass scikit-learn's checks."),
    ("sklml.neural", "Neural networks",
     "MLP, CNN, RNN, autoencoders, VAE and GAN on PyTorch through skorch."),
    ("sklml.rl", "Reinforcement learning",
     "Markov decision processes and agents with fit / act."),
    ("sklml.datasets", "Datasets", "Generators and loaders (nothing is downloaded)."),
    ("sklml.metrics", "Sample quality",
     "Fréchet distance, class coverage and memorisation of generated samples, with baselines."),
    ("sklml.compare", "Compare", "The cross-validated leaderboard behind ``sklml compare``."),
    ("sklml.registry", "Registry", "Entry-point discovery of estimators and plugins."),
    ("sklml.testing", "Testing", "scikit-learn's checks for any estimator."),
    ("sklml.io", "Persistence", "Safe saving and loading on skops (no code runs on load)."),
    ("sklml.onnx", "ONNX export", "Fitted estimators as ONNX models for ONNX Runtime."),
]


def _public_objects(module):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in dir(module) if not n.startswith("_")]
    classes, functions = [], []
    for name in names:
        obj = getattr(module, name, None)
        if inspect.isclass(obj):
            classes.append(name)
        elif inspect.isfunction(obj):
            functions.append(name)
    return classes, functions


def write_api_pages():
    """Write ``api/generated/<module>.rst`` for every module that imports; return them."""
    out = DOCS / "api" / "generated"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("sklml.*.rst"):
        if old.stem.count(".") == 1:  # module pages; class stubs are autosummary's
            old.unlink()
    written = []
    for name, title, description in API_MODULES:
        try:
            module = importlib.import_module(name)
        except Exception as exc:  # an unfinished family must not break the docs
            print(f"[sklml docs] skipping {name}: {type(exc).__name__}: {exc}")
            continue
        classes, functions = _public_objects(module)
        if not classes and not functions:
            continue
        heading = f"``{name}``: {title}"
        lines = [heading, "=" * len(heading), "", f".. automodule:: {name}", "   :no-members:",
                 "", f".. currentmodule:: {name}", ""]
        for label, objects, template in (("Classes", classes, "class.rst"),
                                         ("Functions", functions, "function.rst")):
            if objects:
                lines += [label, "-" * len(label), "", ".. autosummary::", "   :toctree: .",
                          f"   :template: {template}", "", *[f"   {o}" for o in objects], ""]
        (out / f"{name}.rst").write_text("\n".join(lines))
        written.append((name, description))
    lines = [".. list-table::", "   :widths: 30 70", ""]
    for name, description in written:
        lines += [f"   * - :doc:`{name} <generated/{name}>`", f"     - {description}"]
    lines += ["", ".. toctree::", "   :hidden:", ""] + [f"   generated/{n}" for n, _ in written]
    (out / "modules.inc").write_text("\n".join(lines + [""]))
    return written


# the module pages, listed explicitly: an incremental build would miss a newly written one
autosummary_generate = [f"api/generated/{name}.rst" for name, _ in write_api_pages()]

def _skip_member(app, what, name, obj, skip, options):
    # scikit-learn generates set_*_request methods on every estimator (metadata routing)
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


_SHAPE_NAME = re.compile(r"(?<=[(,\s])([A-Za-z]\w*)_(?=[,)])")


def _escape_shape_names(app, what, name, obj, options, lines):
    # "ndarray of shape (n_features_in_,)": a trailing underscore is an RST reference
    for i, line in enumerate(lines):
        if "shape (" in line:
            lines[i] = _SHAPE_NAME.sub(r"\1\\_", line)


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("autodoc-process-docstring", _escape_shape_names, priority=100)


# -- Gallery --------------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"__init__\.py|plugin_template",
    "within_subsection_order": "_gallery_order.LectureOrder",
    "doc_module": ("sklml",),
    "backreferences_dir": "gen_modules/backreferences",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "download_all_examples": False,
    "remove_config_comments": True,
    "min_reported_time": 5,
    "show_memory": False,
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    # examples that take long are fine: they must just finish (< 1 min each is the rule)
    "capture_repr": ("_repr_html_", "__repr__"),
}

# -- HTML -----------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sklml {release}"
html_static_path = ["_static"]
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"index": [], "install": [], "compare": [], "plugins": []}
html_show_sourcelink = False
