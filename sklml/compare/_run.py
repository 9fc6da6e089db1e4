"""Cross-validate registered estimators fold by fold and collect a leaderboard."""

from __future__ import annotations

import contextlib
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

__all__ = ["CompareError", "CompareResult", "compare", "select_estimators", "build_estimator",
           "training_weights", "fit_final"]

CLASSIFICATION_METRICS = ("accuracy", "roc_auc", "f1", "precision", "recall")
#: Signal-versus-background figures (two classes; class 1 is the signal), TMVA's evaluation.
PHYSICS_METRICS = ("sig_eff_at_bkg_0.01", "sig_eff_at_bkg_0.1", "sig_eff_at_bkg_0.3",
                   "separation", "ks_pvalue_signal", "ks_pvalue_background")
#: With expected yields: the cut on the classifier output maximising the Asimov significance.
YIELD_METRICS = ("best_cut", "significance")
REGRESSION_METRICS = ("r2", "mae", "rmse")
TIME_COLUMNS = ("fit_time", "predict_time")
LOWER_IS_BETTER = {"mae", "rmse", "fit_time", "predict_time"}
NEGATIVE_WEIGHTS = ("ignore", "abs", "keep")


class CompareError(ValueError):
    """A request that cannot be run (unknown estimator, wrong task, bad cv): for the user."""


def _kind_of_task(task):
    return "classifier" if task == "classification" else "regressor"


def select_estimators(task, names=None):
    """The registered ``(name, class)`` pairs to compare on a task.

    Parameters
    ----------
    task : {"classification", "regression"}
    names : list of str, default=None
        Registered names to use; by default every registered classifier (or
        regressor) that is not a reinforcement-learning agent, whose
        ``get_compare_params()`` does not return None, and that is not made for
        images or sequences (tag ``input_tags.three_d_array``: CNN, RNN).

    Returns
    -------
    list of (str, type)
    """
    from sklml.registry import all_estimators, estimator_kind, get_estimator

    kind = _kind_of_task(task)
    if names:
        chosen = []
        for name in names:
            try:
                cls = get_estimator(name)
            except KeyError as exc:
                raise CompareError(exc.args[0]) from None
            kinds = estimator_kind(cls)
            if kind not in kinds or "agent" in kinds:
                what = f"a {' and '.join(kinds)}" if kinds else "neither classifier nor regressor"
                raise CompareError(
                    f"{name} is {what}, not a {kind}: it cannot be compared on a {task} dataset"
                )
            chosen.append((name, cls))
        return chosen
    chosen = []
    for name, cls in all_estimators(type_filter=kind):
        if "agent" in estimator_kind(cls):
            continue
        get_params = getattr(cls, "get_compare_params", None)
        if callable(get_params) and get_params() is None:
            continue  # the estimator says it does not fit tabular data (e.g. images)
        if _wants_structured_input(cls):
            continue  # images or sequences (CNN, RNN): only when asked for by name
        chosen.append((name, cls))
    return chosen


def _wants_structured_input(cls):
    """True for estimators made for images or sequences (their tags accept 3-D arrays)."""
    from sklearn.utils import get_tags

    try:
        return bool(get_tags(cls()).input_tags.three_d_array)
    except Exception:  # a class that cannot be built without arguments: not ours to judge
        return False


def build_estimator(cls, *, random_state=0, scale=True):
    """The estimator ``sklml compare`` cross-validates for a registered class.

    Built from the class's optional ``get_compare_params()`` (fast, sensible
    settings), seeded with ``random_state`` when it has one, and preceded by a
    :class:`~sklearn.preprocessing.StandardScaler` when ``scale`` is true
    (harmless for trees, needed by gradient-descent models).
    """
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    get_params = getattr(cls, "get_compare_params", None)
    params = dict(get_params() or {}) if callable(get_params) else {}
    estimator = cls(**params)
    if "random_state" in estimator.get_params(deep=False) and "random_state" not in params:
        estimator.set_params(random_state=random_state)
    return make_pipeline(StandardScaler(), estimator) if scale else estimator


@dataclass
class _Fold:
    name: str
    fold: int
    test: np.ndarray
    predictions: np.ndarray = None
    scores: np.ndarray = None  # predict_proba or decision_function, classification only
    train_scores: np.ndarray = None  # signal score of the training events (two classes only)
    note: str = ""
    fit_time: float = np.nan
    predict_time: float = np.nan
    importances: np.ndarray = None
    importance_kind: str = ""
    error: str = ""


def _final_step(estimator):
    steps = getattr(estimator, "steps", None)
    return steps[-1][1] if steps else estimator


def _importances(estimator):
    model = _final_step(estimator)
    try:
        values = getattr(model, "feature_importances_", None)
        if values is not None:
            return np.asarray(values, dtype=float).ravel(), "feature importance"
        coef = getattr(model, "coef_", None)
    except Exception:  # a property that cannot be computed for this model
        return None, ""
    if coef is None:
        return None, ""
    coef = np.abs(np.asarray(coef, dtype=float))
    coef = coef.reshape(-1, coef.shape[-1]).mean(axis=0)
    return coef, "|coefficient| (standardised features)"


def training_weights(y, sample_weight, rows, negative_weights="ignore", balance=True):
    """The events and weights a model is trained on.

    Parameters
    ----------
    y : ndarray
        Class indices (1 is the signal when there are two classes).
    sample_weight : ndarray or None
        Event weights; None trains unweighted on ``rows``.
    rows : ndarray of int
        The training events.
    negative_weights : {"ignore", "abs", "keep"}
        "ignore" leaves events of negative weight out of training (TMVA's
        ``IgnoreNegWeightsInTraining``), "abs" uses ``abs(w)``, "keep" keeps them.
    balance : bool
        With two classes, scale the weights so that signal and background have
        the same total weight, the total being the number of training events.

    Returns
    -------
    rows, weights : ndarray, ndarray or None

    Examples
    --------
    >>> import numpy as np
    >>> from sklml.compare import training_weights
    >>> y = np.array([1, 1, 0, 0, 0, 0])
    >>> rows, w = training_weights(y, np.array([1.0, -0.5, 2.0, 2.0, 2.0, 2.0]), np.arange(6))
    >>> rows.tolist(), w.tolist()
    ([0, 2, 3, 4, 5], [2.5, 0.625, 0.625, 0.625, 0.625])
    """
    if sample_weight is None:
        return rows, None
    w = sample_weight[rows]
    if negative_weights == "ignore":
        keep = w >= 0
        rows, w = rows[keep], w[keep]
    elif negative_weights == "abs":
        w = np.abs(w)
    else:
        w = w.copy()
    classes = np.unique(y[rows])
    if balance and len(classes) == 2:
        for c in classes:
            mine = y[rows] == c
            total = w[mine].sum()
            if total <= 0:
                raise CompareError(
                    f"the training events of class {c} have a total weight of {total:.4g}: "
                    "they cannot be balanced (use --negative-weights ignore or abs)")
            w[mine] *= 0.5 * len(rows) / total
    return rows, w


def _fit(model, X, y, weight):
    """Fit with ``sample_weight`` where the model takes it; returns a note otherwise."""
    from sklearn.utils.validation import has_fit_parameter

    if weight is None:
        model.fit(X, y)
        return ""
    final = _final_step(model)
    if not has_fit_parameter(final, "sample_weight"):
        if np.any(weight < 0):
            raise CompareError(f"{type(final).__name__}.fit takes no sample_weight: it cannot "
                               "use negative weights (--negative-weights keep)")
        model.fit(X, y)
        return "trained without event weights (fit takes no sample_weight)"
    steps = getattr(model, "steps", None)
    key = f"{steps[-1][0]}__sample_weight" if steps else "sample_weight"
    model.fit(X, y, **{key: weight})
    return ""


def _run_fold(name, estimator, X, y, train, test, fold, task, sample_weight=None,
              negative_weights="ignore", balance=True):
    """Fit on one training fold and predict the held-out fold; errors are returned."""
    from sklearn.base import clone

    result = _Fold(name, fold, test)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = clone(estimator)
            rows, weight = training_weights(y, sample_weight, train, negative_weights, balance)
            start = time.perf_counter()
            result.note = _fit(model, X[rows], y[rows], weight)
            result.fit_time = time.perf_counter() - start
            start = time.perf_counter()
            result.predictions = np.asarray(model.predict(X[test]))
            result.predict_time = time.perf_counter() - start
            if task == "classification":
                result.scores = _scores(model, X[test])
                two_classes = len(getattr(model, "classes_", ())) == 2
                if two_classes and result.scores is not None:
                    # the overtraining check compares these with the held-out scores
                    train_scores = _positive_scores(_scores(model, X[train]), 2)
                    if train_scores is not None:
                        result.train_scores = train_scores.astype(np.float32)
            result.importances, result.importance_kind = _importances(model)
    except Exception as exc:  # a failing estimator is reported, it does not stop the others
        message = " ".join(str(exc).split())
        result.error = f"{type(exc).__name__}: {message}"[:300]
    return result


def _crash_message(exc):
    lines = [" ".join(line.split()) for line in str(exc).splitlines() if line.strip()]
    codes = [line for line in lines if "exit code" in line]
    detail = codes[0] if codes else (lines[0] if lines else "")
    return f"the worker process died while fitting ({type(exc).__name__}: {detail})"[:300]


def _execute(jobs, n_jobs, bar):
    """Run ``(name, fold, delayed call)`` jobs; a crashed worker fails only its estimator.

    Errors raised by an estimator are caught inside :func:`_run_fold`. A worker
    process that dies (a segfault, memory exhausted) breaks the whole joblib call,
    so the unfinished jobs are run again estimator by estimator, and an estimator
    whose worker dies again is reported as failed.
    """
    from joblib import Parallel

    done = {}

    def run(batch):
        for result in Parallel(n_jobs=n_jobs, return_as="generator_unordered")(
            call for _, _, call in batch
        ):
            done[(result.name, result.fold)] = result
            bar.set_postfix_str(f"{result.name} fold {result.fold + 1}", refresh=False)
            bar.update()

    try:
        run(jobs)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:
        for name in dict.fromkeys(name for name, _, _ in jobs):
            batch = [j for j in jobs if j[0] == name and (j[0], j[1]) not in done]
            if not batch:
                continue
            try:
                run(batch)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:
                message = _crash_message(exc)
                for _, fold, _ in batch:
                    if (name, fold) not in done:
                        done[(name, fold)] = _Fold(name, fold, np.empty(0, int), error=message)
                        bar.update()
    return list(done.values())


def _scores(model, X):
    for method in ("predict_proba", "decision_function"):
        if hasattr(model, method):
            try:
                return np.asarray(getattr(model, method)(X), dtype=float)
            except Exception:
                continue
    return None


@dataclass
class CompareResult:
    """What :func:`compare` measured.

    Attributes
    ----------
    leaderboard : pandas.DataFrame
        One row per estimator, best first: ``<metric>_mean`` and ``<metric>_std``
        columns, ``status`` ("ok" or "failed") and ``error``.
    task : str
    metric : str
        The metric the leaderboard is sorted by.
    dataset : Dataset
    oof_predictions, oof_scores, importances : dict
        Out-of-fold predictions and scores (every sample predicted by the model
        that did not see it), and fold-averaged feature importances, per model.
    params : dict
        The parameters of each compared estimator.
    train_scores : dict
        Two classes: the signal score of the first fold's training events, per
        model (the overtraining check compares them with the held-out scores).
    splits : list of (train, test)
        The folds' event indices.
    sample_weight : ndarray or None
        The event weights every figure is computed with (negative ones kept).
    negative_weights, balance, yields
        How the models were trained and the expected yields ``(S, B)``, if given.
    """

    leaderboard: object
    task: str
    metric: str
    dataset: object
    cv: int
    random_state: int
    oof_predictions: dict = field(default_factory=dict)
    oof_scores: dict = field(default_factory=dict)
    importances: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    wall_time: float = 0.0
    backend: str = "local"
    train_scores: dict = field(default_factory=dict)
    splits: list = field(default_factory=list)
    sample_weight: np.ndarray = None
    negative_weights: str = "ignore"
    balance: bool = True
    yields: tuple = None

    @property
    def two_classes(self):
        """True for a signal-versus-background comparison (two classes, 1 = signal)."""
        return self.task == "classification" and len(np.unique(self.dataset.y)) == 2

    @property
    def metrics(self):
        return _metric_names(self.task, self.two_classes, self.yields)

    @property
    def best(self):
        """Name of the best model that did not fail, or None."""
        ok = self.leaderboard[self.leaderboard["status"] == "ok"]
        return None if ok.empty else ok.iloc[0]["model"]

    def to_text(self):
        """The leaderboard as a plain-text table, ``mean ± std`` per metric."""
        from sklml.compare._report import leaderboard_text

        return leaderboard_text(self)

    def write(self, out_dir):
        """Write ``leaderboard.csv``, PNG plots and a self-contained ``report.html``.

        Returns
        -------
        list of pathlib.Path
            The files written.
        """
        from sklml.compare._report import write_report

        return write_report(self, out_dir)


def _metric_names(task, two_classes, yields):
    if task == "regression":
        return REGRESSION_METRICS
    if not two_classes:
        return CLASSIFICATION_METRICS
    return CLASSIFICATION_METRICS + PHYSICS_METRICS + (YIELD_METRICS if yields else ())


def _fold_metrics(task, y_true, pred, scores, n_classes, weight=None):
    from sklearn import metrics

    from sklml.compare._physics import weighted_roc_auc

    if task == "regression":
        return {
            "r2": metrics.r2_score(y_true, pred, sample_weight=weight),
            "mae": metrics.mean_absolute_error(y_true, pred, sample_weight=weight),
            "rmse": metrics.root_mean_squared_error(y_true, pred, sample_weight=weight),
        }
    average = "binary" if n_classes == 2 else "macro"
    out = {"roc_auc": np.nan}
    for name, metric, kwargs in [
        ("accuracy", metrics.accuracy_score, {}),
        ("f1", metrics.f1_score, {"average": average, "zero_division": 0}),
        ("precision", metrics.precision_score, {"average": average, "zero_division": 0}),
        ("recall", metrics.recall_score, {"average": average, "zero_division": 0}),
    ]:
        try:
            out[name] = metric(y_true, pred, sample_weight=weight, **kwargs)
        except ValueError:  # e.g. a total weight of zero
            out[name] = np.nan
    score = _positive_scores(scores, n_classes)
    if score is not None:
        with contextlib.suppress(ValueError):
            if n_classes == 2 and weight is not None:
                out["roc_auc"] = weighted_roc_auc(y_true, score, weight)
            elif n_classes == 2:
                out["roc_auc"] = metrics.roc_auc_score(y_true, score)
            else:
                from sklearn.preprocessing import label_binarize

                out["roc_auc"] = metrics.roc_auc_score(
                    label_binarize(y_true, classes=np.arange(n_classes)), score, average="macro"
                )
    return out


def _physics_fold_metrics(y, weight, train, test, score_test, score_train, yields):
    """TMVA's figures on one fold's held-out events (KS: its training events too)."""
    from sklml.compare import _physics

    y_test, w_test = y[test], weight[test]
    out = {}
    for eff_b in _physics.BACKGROUND_EFFICIENCIES:
        out[f"sig_eff_at_bkg_{eff_b}"] = _physics.signal_efficiency_at(
            y_test, score_test, w_test, eff_b)
    out["separation"] = _physics.separation(y_test, score_test, w_test)
    y_train, w_train = y[train], weight[train]
    for label, c in (("signal", 1), ("background", 0)):
        if score_train is None:
            out[f"ks_pvalue_{label}"] = np.nan
            continue
        out[f"ks_pvalue_{label}"] = _physics.weighted_ks(
            score_train[y_train == c], score_test[y_test == c],
            w_train[y_train == c], w_test[y_test == c])[1]
    if yields:
        _, _, out["best_cut"], out["significance"] = _physics.significance_scan(
            y_test, score_test, w_test, yields[0], yields[1])
    return out


def _positive_scores(scores, n_classes):
    """Scores as ROC needs them: (n,) for the positive class, or (n, n_classes)."""
    if scores is None:
        return None
    if n_classes == 2:
        if scores.ndim == 2 and scores.shape[1] == 2:
            return scores[:, 1]
        return scores.ravel() if scores.ndim == 1 or scores.shape[1] == 1 else None
    return scores if scores.ndim == 2 and scores.shape[1] == n_classes else None


def _splitter(task, cv, random_state):
    from sklearn.model_selection import KFold, StratifiedKFold

    if task == "classification":
        return StratifiedKFold(n_splits=cv, shuffle=True, random_state=random_state)
    return KFold(n_splits=cv, shuffle=True, random_state=random_state)


def _check_cv(dataset, cv):
    if not isinstance(cv, (int, np.integer)) or cv < 2:
        raise CompareError(f"--cv must be an integer of at least 2, got {cv!r}")
    if cv > dataset.n_samples:
        raise CompareError(f"--cv {cv} is more folds than the {dataset.n_samples} samples")
    if dataset.task == "classification":
        classes, counts = np.unique(dataset.y, return_counts=True)
        if counts.min() < cv:
            label = classes[counts.argmin()]
            if dataset.target_names and 0 <= int(label) < len(dataset.target_names):
                label = dataset.target_names[int(label)]
            raise CompareError(
                f"class {label!r} has only {counts.min()} sample(s), fewer than --cv {cv} folds"
            )


def compare(
    dataset,
    *,
    estimators=None,
    cv=5,
    n_jobs=1,
    random_state=0,
    scale=True,
    sort_by=None,
    progress=False,
    backend="local",
    negative_weights="ignore",
    balance=True,
    yields=None,
):
    """Cross-validate registered estimators on a dataset and rank them.

    With two classes the second one (label 1) is the signal, and the leaderboard
    adds the physicist's figures: the signal efficiency at background
    efficiencies of 1, 10 and 30 %, the separation <S²>, Kolmogorov-Smirnov
    p-values of training versus held-out output for signal and background and,
    with ``yields``, the best cut and its Asimov significance. Event weights
    (``dataset.sample_weight``) enter the training (as ``sample_weight``) and
    every figure.

    Parameters
    ----------
    dataset : Dataset
        From :func:`sklml.datasets.load_dataset`.
    estimators : list of str, default=None
        Registered names; by default every classifier (or regressor) that fits
        the task, third-party plugins included, agents excluded.
    cv : int, default=5
        Number of folds: :class:`~sklearn.model_selection.StratifiedKFold` for
        classification, :class:`~sklearn.model_selection.KFold` for regression,
        both shuffled with ``random_state``.
    n_jobs : int, default=1
        Folds fitted in parallel (joblib; -1 for all cores or all Dask workers).
        In parallel, joblib limits each worker process to its share of the cores'
        threads, which is much faster than threaded fits competing for the cores.
    random_state : int, default=0
        Seeds the folds and every estimator that has a ``random_state``.
    scale : bool, default=True
        Standardise the features (inside each fold) before every estimator.
    sort_by : str, default=None
        Metric the leaderboard is sorted by: ROC AUC for two classes, accuracy
        for more, r2 for regression by default.
    progress : bool, default=False
        Show a tqdm progress bar on stderr.
    backend : {"local", "dask"}, default="local"
        "dask" runs the folds through joblib's Dask backend on the current
        ``distributed.Client``.
    negative_weights : {"ignore", "abs", "keep"}, default="ignore"
        Events of negative weight: left out of training ("ignore", as TMVA's
        ``IgnoreNegWeightsInTraining``), trained with ``abs(w)`` ("abs") or as they are
        ("keep": a model whose fit refuses them fails). Always kept in the figures.
    balance : bool, default=True
        Train with signal and background scaled to equal total weight.
        Applies when the dataset has event weights (``--weight``, or
        ``--signal``/``--background`` files).
    yields : tuple of (float, float), default=None
        Expected signal and background events after the preselection: adds
        ``best_cut`` and ``significance`` (two classes only).

    Returns
    -------
    CompareResult

    Examples
    --------
    >>> from sklml.compare import compare
    >>> from sklml.datasets import load_dataset
    >>> result = compare(load_dataset("iris"), estimators=[])  # nothing to compare
    >>> len(result.leaderboard)
    0
    """
    import pandas as pd
    from joblib import delayed, parallel_config
    from sklearn.preprocessing import LabelEncoder

    task = dataset.task
    _check_cv(dataset, cv)
    if negative_weights not in NEGATIVE_WEIGHTS:
        raise CompareError(f"negative_weights must be one of {', '.join(NEGATIVE_WEIGHTS)}, "
                           f"got {negative_weights!r}")
    two_classes = task == "classification" and len(np.unique(dataset.y)) == 2
    if yields is not None:
        if not two_classes:
            raise CompareError("--yields needs two classes (signal and background)")
        if len(yields) != 2 or not all(np.isfinite(v) and v > 0 for v in yields):
            raise CompareError(f"--yields needs two positive numbers S,B, got {yields!r}")
        yields = (float(yields[0]), float(yields[1]))
    metric_names = _metric_names(task, two_classes, yields)
    sort_by = sort_by or ("roc_auc" if two_classes else metric_names[0])
    if sort_by not in metric_names + TIME_COLUMNS:
        raise CompareError(
            f"cannot sort a {task} leaderboard by {sort_by!r}; use one of "
            f"{', '.join(metric_names + TIME_COLUMNS)}"
        )
    chosen = select_estimators(task, estimators) if estimators is None or estimators else []
    X = np.ascontiguousarray(dataset.X, dtype=np.float64)
    y = dataset.y
    sample_weight = dataset.sample_weight
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
    n_classes = 0
    if task == "classification":
        y = LabelEncoder().fit_transform(y)
        n_classes = len(np.unique(y))
    splits = list(_splitter(task, cv, random_state).split(X, y))

    built, params, failed = {}, {}, {}
    for name, cls in chosen:
        try:
            built[name] = build_estimator(cls, random_state=random_state, scale=scale)
            params[name] = _final_step(built[name]).get_params(deep=False)
        except Exception as exc:
            failed[name] = f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:300]

    jobs = [
        (name, fold, delayed(_run_fold)(name, est, X, y, train, test, fold, task,
                                        sample_weight, negative_weights, balance))
        for name, est in built.items()
        for fold, (train, test) in enumerate(splits)
    ]
    start = time.perf_counter()
    folds = []
    if jobs:
        from tqdm.auto import tqdm

        config = parallel_config(backend="dask") if backend == "dask" else contextlib.nullcontext()
        with config, warnings.catch_warnings(), tqdm(
            total=len(jobs), disable=not progress,
            desc=f"{len(built)} model(s) x {cv} folds", unit="fit",
            leave=False,
        ) as bar:
            # loky replaces a worker whose memory grew (torch, numba): harmless, not news
            warnings.filterwarnings("ignore", message="A worker stopped", category=UserWarning)
            folds = _execute(jobs, n_jobs, bar)
    wall_time = time.perf_counter() - start

    rows, oof_pred, oof_scores, importances, train_scores = [], {}, {}, {}, {}
    for name in list(built) + list(failed):
        mine = sorted((f for f in folds if f.name == name), key=lambda f: f.fold)
        errors = [f.error for f in mine if f.error]
        row = {"model": name}
        if name in failed or errors:
            row.update({f"{m}_{s}": np.nan for m in metric_names + TIME_COLUMNS
                        for s in ("mean", "std")})
            row.update(status="failed", error=failed.get(name) or errors[0], note="")
            rows.append(row)
            continue
        per_fold = [_fold_metrics(task, y[f.test], f.predictions, f.scores, n_classes,
                                  None if sample_weight is None else sample_weight[f.test])
                    for f in mine]
        if two_classes:
            weight = np.ones(len(y)) if sample_weight is None else sample_weight
            for f, metrics_of_fold in zip(mine, per_fold):
                score = _positive_scores(f.scores, 2)
                if score is None:
                    metrics_of_fold.update({m: np.nan for m in metric_names
                                            if m not in metrics_of_fold})
                    continue
                metrics_of_fold.update(_physics_fold_metrics(
                    y, weight, splits[f.fold][0], f.test, score, f.train_scores, yields))
            if mine[0].train_scores is not None:
                train_scores[name] = mine[0].train_scores
        for m in metric_names:
            values = np.array([p[m] for p in per_fold], dtype=float)
            row[f"{m}_mean"] = np.nan if np.isnan(values).any() else values.mean()
            row[f"{m}_std"] = np.nan if np.isnan(values).any() else values.std()
        for m in TIME_COLUMNS:
            values = np.array([getattr(f, m) for f in mine])
            row[f"{m}_mean"], row[f"{m}_std"] = values.mean(), values.std()
        row.update(status="ok", error="", note="; ".join(dict.fromkeys(f.note for f in mine
                                                                       if f.note)))
        rows.append(row)
        pred = np.empty(len(y), dtype=np.asarray(mine[0].predictions).dtype)
        for f in mine:
            pred[f.test] = f.predictions
        oof_pred[name] = pred
        scores = [_positive_scores(f.scores, n_classes) for f in mine] if n_classes else [None]
        if all(s is not None for s in scores):
            full = np.empty((len(y),) + scores[0].shape[1:])
            for f, s in zip(mine, scores):
                full[f.test] = s
            oof_scores[name] = full
        imps = [f.importances for f in mine]
        if all(i is not None and len(i) == X.shape[1] for i in imps):
            importances[name] = (np.mean(imps, axis=0), mine[0].importance_kind)

    columns = ["model"] + [f"{m}_{s}" for m in metric_names + TIME_COLUMNS
                           for s in ("mean", "std")] + ["status", "error", "note"]
    board = pd.DataFrame(rows, columns=columns)
    if len(board):
        board["_failed"] = board["status"] != "ok"
        board = board.sort_values(
            ["_failed", f"{sort_by}_mean", "model"],
            ascending=[True, sort_by in LOWER_IS_BETTER, True],
            na_position="last",
            kind="mergesort",
        ).drop(columns="_failed").reset_index(drop=True)
    return CompareResult(
        leaderboard=board,
        task=task,
        metric=sort_by,
        dataset=dataset,
        cv=cv,
        random_state=random_state,
        oof_predictions=oof_pred,
        oof_scores=oof_scores,
        importances=importances,
        params=params,
        wall_time=wall_time,
        backend=backend,
        train_scores=train_scores,
        splits=splits,
        sample_weight=sample_weight,
        negative_weights=negative_weights,
        balance=balance,
        yields=yields,
    )


def fit_final(dataset, name, *, random_state=0, scale=True, negative_weights="ignore",
              balance=True):
    """Fit the registered model ``name`` on every event, as :func:`compare` trains it.

    The features are passed as a pandas frame, so the fitted model records
    their names in ``feature_names_in_`` (``sklml apply`` reads them from it).

    Returns
    -------
    estimator
        The fitted estimator (a pipeline when ``scale``).
    """
    import pandas as pd
    from sklearn.preprocessing import LabelEncoder

    from sklml.registry import get_estimator

    model = build_estimator(get_estimator(name), random_state=random_state, scale=scale)
    y = dataset.y
    if dataset.task == "classification":
        y = LabelEncoder().fit_transform(y)
    weight = dataset.sample_weight
    rows, weight = training_weights(
        y, None if weight is None else np.asarray(weight, dtype=np.float64),
        np.arange(len(y)), negative_weights, balance)
    X = pd.DataFrame(np.asarray(dataset.X, dtype=np.float64)[rows],
                     columns=[str(f) for f in dataset.feature_names])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _fit(model, X, y[rows], weight)
    return model
