"""Run scikit-learn's own test files against sklml's classes.

The test file is read from the *installed* scikit-learn, its module-level
``from sklearn.tree import ...`` / ``from sklearn.ensemble import ...``
statements are rewritten (on the syntax tree, so line numbers stay those of the
original file) to import the classes of the same name from ``sklml.tree`` /
``sklml.ensemble``, and the result is executed in the namespace of the sklml
test module that asked for it, where pytest collects it.  Nothing else of the
file is changed: private imports (``sklearn.tree._tree`` ...) and every other
estimator (SVC, DummyRegressor ...) stay scikit-learn's.

A class the suite imports that sklml does not have yet is replaced by a stand-in
whose every method raises ``NotImplementedError``, so that the cases using it
fail (and are listed in ``anchor_cases.NOT_YET``) instead of silently testing
scikit-learn's class.
"""

import ast
import importlib
import importlib.util

# scikit-learn module -> the sklml module whose classes of the same name replace its own
REWIRED_MODULES = {"sklearn.tree": "sklml.tree", "sklearn.ensemble": "sklml.ensemble"}


def suite_path(module_name):
    """Path of a test module of the installed scikit-learn."""
    spec = importlib.util.find_spec(module_name)
    if spec is None or spec.origin is None:
        raise ImportError(f"scikit-learn's tests are not installed: no {module_name}")
    return spec.origin


def _missing_class(name, sklml_module):
    """A stand-in that can be built (some suites build estimators at import)
    but raises on any use."""
    message = f"{sklml_module} has no {name} yet"

    def __init__(self, *args, **kwargs):
        pass

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        raise NotImplementedError(message)

    def __repr__(self):
        return f"{name}()"

    return type(name, (), {"__init__": __init__, "__getattr__": __getattr__,
                           "__repr__": __repr__, "__module__": sklml_module})


class _RewireImports(ast.NodeTransformer):
    """``from sklearn.tree import A, B`` -> ``A, B = <sklml's A, B>`` by name."""

    def __init__(self):
        self.rewired = {}

    def visit_ImportFrom(self, node):
        target = REWIRED_MODULES.get(node.module) if node.level == 0 else None
        if target is None:
            return node
        sklml_module = importlib.import_module(target)
        for alias in node.names:
            name = alias.name
            obj = getattr(sklml_module, name, None)
            if obj is None:
                obj = _missing_class(name, target)
            self.rewired[alias.asname or name] = obj
        # the names are bound from the namespace prepared by load_suite
        return ast.copy_location(ast.Pass(), node)


def load_suite(module_name, namespace):
    """Execute scikit-learn's test module ``module_name`` into ``namespace``
    with its tree/ensemble classes rewired to sklml's; returns the mapping of
    rewired names to the classes that replaced them."""
    path = suite_path(module_name)
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), filename=path)
    rewire = _RewireImports()
    tree = rewire.visit(tree)  # function-level imports too (they then read the globals)
    ast.fix_missing_locations(tree)
    namespace.update(rewire.rewired)
    exec(compile(tree, path, "exec"), namespace)
    return rewire.rewired
