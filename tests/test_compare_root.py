"""``sklml compare`` and ``sklml apply`` on real ROOT files written with uproot, end to end.

The figures are checked against direct computations written here from their
definitions (brute-force sums of event weights over every cut), not through the
library's own helpers.
"""

import sys
import textwrap
import tracemalloc

import numpy as np
import pandas as pd
import pytest
import uproot
from scipy.stats import kstwo

from plugin_helpers import make_distribution
from sklml.cli import main
from sklml.compare import compare, training_weights
from sklml.datasets import load_events, make_signal_background
from sklml.registry import clear_cache

FEATURES = ["lep1_pt", "lep1_eta", "lep2_pt", "lep2_eta", "delta_phi_ll", "m_ll", "pt_ll",
            "met", "n_jets", "ht"]

PLUGIN_MODULE = '''
from sklearn.neighbors import KNeighborsClassifier


class NoWeightsKNN(KNeighborsClassifier):
    """fit takes no sample_weight."""
'''

ENTRY_POINTS = {
    "SkLogistic": "sklearn.linear_model:LogisticRegression",
    "SkTree": "sklearn.tree:DecisionTreeClassifier",
    "NoWeightsKNN": "root_test_plugin:NoWeightsKNN",
}


@pytest.fixture
def plugins(tmp_path_factory, monkeypatch):
    root = tmp_path_factory.mktemp("plugins")
    make_distribution(root, "root-test-plugin", "0.1", ENTRY_POINTS)
    (root / "root_test_plugin.py").write_text(textwrap.dedent(PLUGIN_MODULE))
    monkeypatch.syspath_prepend(str(root))
    clear_cache()
    yield root
    sys.modules.pop("root_test_plugin", None)


def _write_tree(path, tree, columns, basket=None):
    """A TTree as ROOT writes it: one basket per ``basket`` entries (all in one by default)."""
    with uproot.recreate(path) as file:
        file.mktree(tree, {name: values.dtype for name, values in columns.items()})
        n = len(next(iter(columns.values())))
        for start in range(0, n, basket or n):
            file[tree].extend({k: v[start:start + (basket or n)] for k, v in columns.items()})


@pytest.fixture(scope="module")
def root_files(tmp_path_factory):
    """Signal in two files, background in one; NLO-like weights, 8 % of them negative."""
    folder = tmp_path_factory.mktemp("root")
    X, y = make_signal_background(2400, random_state=1)
    rng = np.random.default_rng(7)
    files = {}
    for label, cls, scale in (("signal", 1, 0.02), ("background", 0, 0.8)):
        mine = X[y == cls]
        weight = scale * rng.uniform(0.5, 1.5, len(mine))
        weight[rng.random(len(mine)) < 0.08] *= -1
        columns = {name: mine[:, i] for i, name in enumerate(FEATURES)}
        columns["n_jets"] = columns["n_jets"].astype(np.int32)
        columns["weight"] = weight
        columns["event"] = np.arange(len(mine), dtype=np.int64)
        files[label] = columns
    sig = files["signal"]
    half = len(sig["weight"]) // 2
    _write_tree(folder / "sig_a.root", "Events", {k: v[:half] for k, v in sig.items()})
    _write_tree(folder / "sig_b.root", "Events", {k: v[half:] for k, v in sig.items()})
    _write_tree(folder / "bkg.root", "Events", files["background"])
    return folder, files


def _load(folder, **kwargs):
    return load_events([f"{folder}/sig_*.root:Events"], [f"{folder}/bkg.root:Events"],
                       weight="weight", **kwargs)


def test_load_events_reads_trees_globs_selection_and_provenance(root_files):
    folder, files = root_files
    data = _load(folder, features=FEATURES, selection="n_jets >= 1 and met < 200")
    sig, bkg = files["signal"], files["background"]
    keep_s = (sig["n_jets"] >= 1) & (sig["met"] < 200)
    keep_b = (bkg["n_jets"] >= 1) & (bkg["met"] < 200)
    assert data.feature_names == FEATURES
    assert int(data.y.sum()) == keep_s.sum() and int((data.y == 0).sum()) == keep_b.sum()
    np.testing.assert_array_equal(data.X[data.y == 1][:, FEATURES.index("met")],
                                  sig["met"][keep_s])
    np.testing.assert_allclose(data.sample_weight[data.y == 0], bkg["weight"][keep_b])
    records = data.provenance
    assert [r.label for r in records] == ["signal", "signal", "background"]
    assert [r.path.rsplit("/", 1)[1] for r in records] == ["sig_a.root", "sig_b.root", "bkg.root"]
    assert sum(r.entries for r in records[:2]) == len(sig["weight"])
    assert sum(r.selected for r in records[:2]) == keep_s.sum()
    assert records[2].sum_weights == pytest.approx(bkg["weight"][keep_b].sum())
    # by default: every flat numeric branch but the weight (the event number too)
    assert _load(folder).feature_names == FEATURES + ["event"]


def test_one_tree_with_a_class_branch(root_files, tmp_path):
    from sklml.datasets import load_dataset

    _, files = root_files
    columns = {k: np.concatenate([files["signal"][k], files["background"][k]])
               for k in files["signal"]}
    counts = [len(files["signal"]["event"]), len(files["background"]["event"])]
    columns["is_signal"] = np.repeat([1, 0], counts).astype(np.int8)
    _write_tree(tmp_path / "mixed.root", "Events", columns)
    data = load_dataset(f"{tmp_path}/mixed.root:Events", target="is_signal", weight="weight",
                        selection="met > 10")
    keep = columns["met"] > 10
    assert data.feature_names == FEATURES + ["event"]
    np.testing.assert_array_equal(data.y, columns["is_signal"][keep])
    np.testing.assert_allclose(data.sample_weight, columns["weight"][keep])
    assert data.provenance[0].entries == len(keep) and data.provenance[0].selected == keep.sum()


def _brute_efficiencies(y, score, w):
    """eff_B and eff_S of every cut score >= t, from the tightest to the loosest."""
    cuts = np.r_[np.inf, np.unique(score)[::-1]]
    passed = score[None, :] >= cuts[:, None]
    eff_s = (passed[:, y == 1] * w[y == 1]).sum(axis=1) / w[y == 1].sum()
    eff_b = (passed[:, y == 0] * w[y == 0]).sum(axis=1) / w[y == 0].sum()
    n_b = passed[:, y == 0].sum(axis=1)
    return cuts, eff_b, eff_s, n_b


def _brute_ks(a, wa, b, wb):
    grid = np.concatenate([a, b])
    fa = ((a[None, :] <= grid[:, None]) * wa).sum(axis=1) / wa.sum()
    fb = ((b[None, :] <= grid[:, None]) * wb).sum(axis=1) / wb.sum()
    d = np.abs(fa - fb).max()
    na, nb = wa.sum() ** 2 / (wa**2).sum(), wb.sum() ** 2 / (wb**2).sum()
    return d, kstwo.sf(d, np.round(na * nb / (na + nb)))


def test_figures_match_direct_computations(plugins, root_files):
    folder, _ = root_files
    data = _load(folder, features=FEATURES)
    yields = (40.0, 900.0)
    result = compare(data, estimators=["SkLogistic", "SkTree"], cv=3, yields=yields)
    board = result.leaderboard.set_index("model")
    assert list(board["status"]) == ["ok", "ok"]
    y, w = data.y, data.sample_weight
    assert (w < 0).any()
    for name in ["SkLogistic", "SkTree"]:
        oof = result.oof_scores[name]
        per_fold = {k: [] for k in ["e01", "e10", "e30", "z", "cut", "sep"]}
        for train, test in result.splits:
            cuts, eff_b, eff_s, n_b = _brute_efficiencies(y[test], oof[test], w[test])
            run_b, run_s = np.maximum.accumulate(eff_b), np.maximum.accumulate(eff_s)
            for key, target in (("e01", 0.01), ("e10", 0.1), ("e30", 0.3)):
                # walk the ROC polyline, cut after cut, to the segment that crosses the target
                i = next(k for k in range(1, len(run_b)) if run_b[k] > target)
                x0, x1, y0, y1 = run_b[i - 1], run_b[i], run_s[i - 1], run_s[i]
                per_fold[key].append(y0 + (y1 - y0) * (target - x0) / (x1 - x0))
            s, b = yields[0] * eff_s, yields[1] * eff_b
            with np.errstate(divide="ignore", invalid="ignore"):
                z = np.sqrt(np.maximum(2 * ((s + b) * np.log(1 + s / b) - s), 0))
            z[(n_b < 10) | (b <= 0) | (s <= 0) | ~np.isfinite(cuts)] = -1
            per_fold["z"].append(z.max())
            per_fold["cut"].append(cuts[np.argmax(z)])
            edges = np.linspace(oof[test].min(), oof[test].max(), 41)
            hs = np.histogram(oof[test][y[test] == 1], edges, weights=w[test][y[test] == 1])[0]
            hb = np.histogram(oof[test][y[test] == 0], edges, weights=w[test][y[test] == 0])[0]
            hs, hb = hs / hs.sum(), hb / hb.sum()
            nz = hs + hb > 0
            per_fold["sep"].append(0.5 * np.sum((hs - hb)[nz] ** 2 / (hs + hb)[nz]))
        row = board.loc[name]
        for key, column in (("e01", "sig_eff_at_bkg_0.01"), ("e10", "sig_eff_at_bkg_0.1"),
                            ("e30", "sig_eff_at_bkg_0.3"), ("z", "significance"),
                            ("cut", "best_cut"), ("sep", "separation")):
            assert row[f"{column}_mean"] == pytest.approx(np.mean(per_fold[key]), abs=1e-9), column
            assert row[f"{column}_std"] == pytest.approx(np.std(per_fold[key]), abs=1e-9), column

        # the overtraining check of the first fold, against a direct weighted KS test
        train, test = result.splits[0]
        for c in (1, 0):
            a = result.train_scores[name][y[train] == c].astype(float)
            b = oof[test][y[test] == c]
            d, p = _brute_ks(a, w[train][y[train] == c], b, w[test][y[test] == c])
            from sklml.compare._physics import weighted_ks

            assert weighted_ks(a, b, w[train][y[train] == c], w[test][y[test] == c]) == \
                pytest.approx((d, p), abs=1e-12)
    logistic, tree = board.loc["SkLogistic"], board.loc["SkTree"]
    # a full-depth tree is overtrained (pure leaves on its own events), a logistic fit is not
    assert tree["ks_pvalue_signal_mean"] < 0.01 and tree["ks_pvalue_background_mean"] < 0.01
    assert logistic["ks_pvalue_background_mean"] > 0.01
    # the classifier beats a random cut (eff_S = eff_B) clearly
    assert logistic["sig_eff_at_bkg_0.1_mean"] > 0.3
    assert logistic["significance_mean"] > yields[0] / np.sqrt(yields[1])  # no cut at all


def test_negative_weight_policies_and_balance():
    y = np.array([1, 1, 1, 0, 0, 0, 0])
    w = np.array([0.1, -0.05, 0.2, 2.0, -1.0, 3.0, 1.0])
    rows = np.arange(7)
    kept, tw = training_weights(y, w, rows, "ignore", balance=False)
    assert kept.tolist() == [0, 2, 3, 5, 6] and tw.tolist() == [0.1, 0.2, 2.0, 3.0, 1.0]
    kept, tw = training_weights(y, w, rows, "abs", balance=False)
    assert kept.tolist() == rows.tolist() and (tw == np.abs(w)).all()
    kept, tw = training_weights(y, w, rows, "keep", balance=True)
    assert tw[y == 1].sum() == pytest.approx(3.5) and tw[y == 0].sum() == pytest.approx(3.5)
    assert tw[1] < 0  # kept negative, scaled like the rest of its class
    kept, tw = training_weights(y, w, rows, "ignore", balance=True)
    assert tw[y[kept] == 1].sum() == pytest.approx(tw[y[kept] == 0].sum()) == pytest.approx(2.5)


def test_weights_change_the_training(plugins, root_files):
    """Balanced weighted training differs from yields-as-they-are, and keep vs ignore."""
    folder, _ = root_files
    data = _load(folder, features=FEATURES)
    runs = {
        (policy, balance): compare(data, estimators=["SkLogistic", "NoWeightsKNN"], cv=3,
                                   negative_weights=policy, balance=balance)
        for policy, balance in [("ignore", True), ("ignore", False), ("keep", True)]
    }
    auc = {k: r.leaderboard.set_index("model").loc["SkLogistic", "roc_auc_mean"]
           for k, r in runs.items()}
    assert len({round(v, 12) for v in auc.values()}) == 3
    base = runs[("ignore", True)].leaderboard.set_index("model")
    assert base.loc["NoWeightsKNN", "status"] == "ok"
    assert "without event weights" in base.loc["NoWeightsKNN", "note"]
    keep = runs[("keep", True)].leaderboard.set_index("model")
    assert keep.loc["NoWeightsKNN", "status"] == "failed"
    assert "cannot use negative weights" in keep.loc["NoWeightsKNN", "error"]


def run_cli(capsys, *args):
    code = main([*map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_compare_then_apply_end_to_end(plugins, root_files, tmp_path, capsys):
    folder, files = root_files
    out_dir, model = tmp_path / "report", tmp_path / "best.skops"
    code, stdout, err = run_cli(
        capsys, "compare", "--quiet", "--n-jobs", 1, "--cv", 3,
        "--signal", folder / "sig_a.root:Events", "--signal", folder / "sig_b.root:Events",
        "--background", f"{folder}/bkg*.root:Events", "--weight", "weight",
        "--features", ",".join(FEATURES), "--selection", "met >= 0", "--yields", "40,900",
        "--estimators", "SkLogistic,DecisionTreeClassifier", "--out", out_dir,
        "--save-best", model)
    assert code == 0, err
    board = pd.read_csv(out_dir / "leaderboard.csv")
    for column in ["sig_eff_at_bkg_0.01", "sig_eff_at_bkg_0.1", "sig_eff_at_bkg_0.3",
                   "separation", "ks_pvalue_signal", "ks_pvalue_background", "best_cut",
                   "significance"]:
        assert board[f"{column}_mean"].notna().all() and f"{column}_std" in board, column
    assert board["roc_auc_mean"].is_monotonic_decreasing  # sorted by ROC AUC
    pngs = {p.name for p in out_dir.glob("*.png")}
    for name in ["roc_rejection.png", "input_variables.png", "correlation_signal.png",
                 "correlation_background.png", "overtraining_SkLogistic.png",
                 "overtraining_DecisionTreeClassifier.png", "significance_SkLogistic.png",
                 "significance_DecisionTreeClassifier.png"]:
        assert name in pngs, name
    html = (out_dir / "report.html").read_text()
    assert "sig_a.root:Events" in html and "bkg.root:Events" in html and "met &gt;= 0" in html
    assert "with negative weight" in html and html.count("data:image/png;base64,") == len(pngs)
    # the variable ranking: the dilepton mass separates best (the signal is a narrow resonance)
    assert "Variable ranking" in html and "<td>1</td><td class='model'>m_ll</td>" in html
    assert "sig_b.root:Events" in stdout and "eff_S@B=10%" in stdout
    best = board.loc[0, "model"]
    assert f"best model {best} saved" in stdout

    scored = tmp_path / "scored.root"
    code, stdout, err = run_cli(capsys, "apply", model, "--data", folder / "bkg.root:Events",
                                "--out", scored, "--branch", "mva", "--step-size", 500)
    assert code == 0, err
    bkg = files["background"]
    n = len(bkg["weight"])
    assert f"{n} events in {-(-n // 500)} chunk(s)" in stdout
    tree = uproot.open(scored)["Events"]
    assert uproot.open(scored).classnames()["Events;1"] == "TTree"
    assert set(tree.keys()) == set(bkg) | {"mva"}
    arrays = tree.arrays(library="np")
    np.testing.assert_array_equal(arrays["event"], bkg["event"])
    np.testing.assert_array_equal(arrays["weight"], bkg["weight"])
    from sklml.compare import load_model

    fitted = load_model(model)
    assert list(fitted.feature_names_in_) == FEATURES
    frame = pd.DataFrame({f: bkg[f].astype(float) for f in FEATURES})
    np.testing.assert_allclose(arrays["mva"], fitted.predict_proba(frame)[:, 1])

    # the same through CSV, in chunks, with the original columns kept
    frame["weight"] = bkg["weight"]
    frame.to_csv(tmp_path / "bkg.csv", index=False)
    code, stdout, err = run_cli(capsys, "apply", model, "--data", tmp_path / "bkg.csv",
                                "--out", tmp_path / "scored.csv", "--branch", "mva",
                                "--step-size", 300)
    assert code == 0, err
    back = pd.read_csv(tmp_path / "scored.csv")
    assert list(back.columns) == FEATURES + ["weight", "mva"]
    np.testing.assert_allclose(back["mva"], arrays["mva"], rtol=1e-12)


def test_apply_parquet(root_files, tmp_path):
    from sklearn.linear_model import LogisticRegression

    from sklml.compare import apply_model

    folder, files = root_files
    frame = pd.DataFrame({f: files["background"][f] for f in FEATURES[:3]})
    frame.to_parquet(tmp_path / "bkg.parquet")
    model = LogisticRegression().fit(frame, frame["met" if "met" in frame else "lep1_pt"] > 40)
    summary = apply_model(model, str(tmp_path / "bkg.parquet"), tmp_path / "out.parquet",
                          "score", step_size=250)
    back = pd.read_parquet(tmp_path / "out.parquet")
    assert summary.chunks == -(-len(frame) // 250) and len(back) == len(frame)
    np.testing.assert_allclose(back["score"], model.predict_proba(frame)[:, 1])


def test_apply_memory_does_not_grow_with_the_file(tmp_path):
    from sklearn.linear_model import LogisticRegression

    from sklml.compare import apply_model

    rng = np.random.default_rng(0)
    model = None
    peaks = {}
    for n in (100_000, 400_000):
        columns = {f"x{i}": rng.normal(size=n) for i in range(4)}
        _write_tree(tmp_path / f"in{n}.root", "t", columns, basket=10_000)
        if model is None:
            frame = pd.DataFrame({k: v[:1000] for k, v in columns.items()})
            model = LogisticRegression().fit(frame, frame["x0"] > 0)
        del columns
        tracemalloc.start()
        try:
            summary = apply_model(model, f"{tmp_path}/in{n}.root:t", tmp_path / f"out{n}.root",
                                  "s", step_size=20_000)
            peaks[n] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert summary.entries == n and summary.chunks == n // 20_000
    whole = 400_000 * 5 * 8  # the big file's input and score in float64: 16 MB
    assert peaks[400_000] < 1.2 * peaks[100_000], peaks  # four times the events, same memory
    assert peaks[400_000] < whole / 3, peaks


def test_hdf5_and_csv_sources_go_through_the_same_path(root_files, tmp_path):
    folder, files = root_files
    for label in ("signal", "background"):
        frame = pd.DataFrame(files[label])
        frame.to_hdf(tmp_path / f"{label}.h5", key="events", format="table")
        frame.to_csv(tmp_path / f"{label}.csv", index=False)
    from_h5 = load_events([f"{tmp_path}/signal.h5:events"], [f"{tmp_path}/background.h5"],
                          weight="weight", features=FEATURES, selection="n_jets >= 1")
    from_csv = load_events([f"{tmp_path}/signal.csv"], [f"{tmp_path}/background.csv"],
                           weight="weight", features=FEATURES, selection="n_jets >= 1")
    from_root = _load(folder, features=FEATURES, selection="n_jets >= 1")
    for data in (from_h5, from_csv):
        np.testing.assert_allclose(data.X, from_root.X)
        np.testing.assert_array_equal(data.y, from_root.y)
        np.testing.assert_allclose(data.sample_weight, from_root.sample_weight)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--signal", "{d}/nope.root:Events", "--background", "{d}/bkg.root:Events"],
         "no such file"),
        (["--signal", "{d}/sig_a.root:Tree", "--background", "{d}/bkg.root:Events"],
         "no tree 'Tree'"),
        (["--signal", "{d}/zz_*.root:Events", "--background", "{d}/bkg.root:Events"],
         "no file matches"),
        (["--signal", "{d}/sig_a.root", "--background", "{d}/bkg.root", "--features", "met,foo"],
         "no branch 'foo'"),
        (["--signal", "{d}/sig_a.root", "--background", "{d}/bkg.root", "--weight", "w8"],
         "no branch 'w8'"),
        (["--signal", "{d}/sig_a.root", "--background", "{d}/bkg.root", "--selection", "met >"],
         "--selection"),
        (["--signal", "{d}/sig_a.root", "--background", "{d}/bkg.root", "--selection",
          "met < -1"], "no signal event passes"),
        (["--signal", "{d}/sig_a.root"], "both --signal and --background"),
        (["--signal", "{d}/sig_a.root", "--background", "{d}/bkg.root", "--yields", "40"],
         "--yields"),
        (["--data", "{d}/bkg.root:Events", "--target", "nope"], "no column 'nope'"),
    ],
)
def test_user_errors_are_one_line_exit_2(root_files, capsys, args, message):
    folder, _ = root_files
    code, _, err = run_cli(capsys, "compare", "--quiet", "--no-report",
                           *[a.format(d=folder) for a in args])
    assert code == 2, err
    assert err.startswith("sklml: error:") and err.count("\n") == 1, err
    assert message in err


def test_apply_errors_are_one_line_exit_2(root_files, tmp_path, capsys):
    import skops.io
    from sklearn.linear_model import LogisticRegression

    folder, files = root_files
    frame = pd.DataFrame({"met": files["background"]["met"], "foo": 1.0})
    skops.io.dump(LogisticRegression().fit(frame, frame["met"] > 20), tmp_path / "m.skops")
    (tmp_path / "junk.skops").write_bytes(b"not a model")
    cases = [
        (["{t}/missing.skops"], "no such model file"),
        (["{t}/junk.skops"], "not a model saved by sklml"),
        (["{t}/m.skops"], "no branch 'foo'"),
        (["{t}/m.skops", "--features", "met,n_jets", "--branch", "weight"],
         "already has a branch 'weight'"),
    ]
    for extra, message in cases:
        model, *rest = [a.format(t=tmp_path) for a in extra]
        args = ["apply", model, "--data", f"{folder}/bkg.root:Events", "--out",
                tmp_path / "o.root"]
        if "--branch" not in rest:
            args += ["--branch", "mva"]
        code, _, err = run_cli(capsys, *args, *rest)
        assert code == 2, (message, err)
        assert err.startswith("sklml: error:") and err.count("\n") == 1, err
        assert message in err


def test_apply_keeps_jagged_branches(tmp_path):
    """Branches with a variable number of values per event (jets) are copied as they are."""
    import awkward as ak
    from sklearn.linear_model import LogisticRegression

    from sklml.compare import apply_model

    jets = ak.Array([[41.0, 30.5], [], [55.0], [120.0, 60.0, 31.0]] * 5)
    with uproot.recreate(tmp_path / "jets.root") as file:
        file.mktree("Events", {"met": "f8", "jet_pt": "var * float64"})
        for start in range(0, 20, 4):
            file["Events"].extend({"met": np.arange(start, start + 4.0),
                                   "jet_pt": jets[start:start + 4]})
    met = pd.DataFrame({"met": np.arange(20.0)})
    model = LogisticRegression().fit(met, met["met"] > 9)
    summary = apply_model(model, f"{tmp_path}/jets.root:Events", tmp_path / "out.root", "mva",
                          step_size=6)
    assert summary.chunks == 4
    out = uproot.open(tmp_path / "out.root")["Events"].arrays()
    assert out["jet_pt"].tolist() == jets.tolist()
    np.testing.assert_allclose(out["mva"], model.predict_proba(met)[:, 1])
