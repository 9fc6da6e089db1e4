"""sklml._training: the shared stopping rule, device, seeding and progress policies."""

import warnings

import numpy as np
import pytest
import torch

from sklml._training import (
    NoImprovementStopping,
    ProgressReporter,
    TrainingHistory,
    deprecated_alias,
    draw_seed,
    resolve_device,
)


def test_stopping_rule_matches_sklearn_counting():
    # sklearn's MLP: count epochs whose loss is above best - tol, stop when count > patience
    rule = NoImprovementStopping(tol=0.1, n_iter_no_change=2)
    losses = [1.0, 0.95, 0.93, 0.5, 0.45, 0.44, 0.43]
    stops = [rule.update(loss=v) for v in losses]
    assert stops == [False, False, False, False, False, False, True]
    assert rule.best_loss == 0.43


def test_stopping_rule_on_validation_score():
    rule = NoImprovementStopping(tol=0.01, n_iter_no_change=1, early_stopping=True)
    assert [rule.update(score=s) for s in (0.5, 0.6, 0.6, 0.6)] == [False, False, False, True]
    assert rule.best_score == 0.6


@pytest.mark.skipif(torch.cuda.is_available(), reason="the policy without a GPU")
def test_cuda_without_gpu_warns_and_uses_cpu():
    with pytest.warns(UserWarning, match="CUDA is not available"):
        assert resolve_device("cuda", "X") == "cpu"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert resolve_device("auto") == "cpu"


def test_bad_device_is_a_value_error():
    with pytest.raises(ValueError, match="device must be"):
        resolve_device("tpu")


def test_seed_policy_leaves_global_torch_state_alone():
    state = torch.get_rng_state()
    assert draw_seed(3) == draw_seed(3)
    assert draw_seed(np.random.RandomState(0)) != draw_seed(1)
    assert torch.equal(state, torch.get_rng_state())


def test_progress_verbose_2_prints_a_line_per_epoch(capsys):
    with ProgressReporter(2, total=3, desc="Net") as progress:
        for _ in range(3):
            progress.update(loss=0.5)
    assert capsys.readouterr().out.count("Iteration") == 3


def test_history_attributes():
    class E:
        pass

    h = TrainingHistory()
    for v in (3.0, 2.0, 2.5):
        h.record(v)
    e = h.set_on(E())
    assert (e.n_iter_, e.best_loss_, e.validation_scores_) == (3, 2.0, None)


def test_deprecated_alias_warns():
    class E:
        max_epochs, max_iter = 7, 200

    with pytest.warns(FutureWarning, match="'max_iter'"):
        assert deprecated_alias(E(), "max_epochs", "max_iter") == 7


@pytest.mark.skipif(torch.cuda.is_available(), reason="the policy without a GPU")
def test_every_torch_family_has_the_same_cuda_policy():
    from sklml.neural import GAN, MLPClassifier, VariationalAutoencoder
    from sklml.rl import REINFORCE

    X = np.random.default_rng(0).random((20, 4))
    y = np.arange(20) % 2
    fits = [lambda: MLPClassifier(max_iter=1, device="cuda").fit(X, y),
            lambda: VariationalAutoencoder(n_components=2, max_iter=1, device="cuda").fit(X),
            lambda: GAN(max_iter=1, device="cuda").fit(X),
            lambda: REINFORCE(n_episodes=1, device="cuda", random_state=0).fit("CartPole-v1")]
    for fit in fits:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fit()
        assert any("CUDA is not available" in str(w.message) for w in caught)


def test_rl_agents_build_the_neural_mlp_and_keep_the_global_seed():
    from sklml.neural._modules import MLPModule
    from sklml.rl import DQN

    state = torch.get_rng_state()
    agent = DQN(hidden_layer_sizes=(8,), n_steps=50, learning_starts=10, buffer_size=100,
                random_state=0, device="cpu").fit("CartPole-v1")
    assert torch.equal(state, torch.get_rng_state())
    assert any(isinstance(v, MLPModule) for v in vars(agent).values())


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_n_jobs_sets_torch_threads_during_fit_only(n_jobs):
    """README: ``n_jobs`` sets torch's CPU threads (for the fit; the caller's setting is back
    afterwards)."""
    from skorch.callbacks import Callback

    from sklml.neural import CNNClassifier, MLPClassifier, RNNClassifier

    class ThreadsSeen(Callback):
        def initialize(self):
            self.seen = []
            return self

        def on_epoch_end(self, net, **kwargs):
            self.seen.append(torch.get_num_threads())

    X = np.random.default_rng(0).random((40, 16))
    y = np.arange(40) % 2
    before = torch.get_num_threads()
    torch.set_num_threads(3)
    try:
        for Model in (MLPClassifier, CNNClassifier, RNNClassifier):
            seen = ThreadsSeen()
            Model(max_iter=2, n_jobs=n_jobs, callbacks=[seen], random_state=0,
                  device="cpu").fit(X, y)
            assert seen.seen == [n_jobs, n_jobs], Model.__name__
            assert torch.get_num_threads() == 3, Model.__name__
    finally:
        torch.set_num_threads(before)
