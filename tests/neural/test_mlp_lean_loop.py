"""The hand-written backpropagation of the plain MLP equals autograd's."""

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning

from sklml.neural import MLPClassifier, MLPRegressor

rng = np.random.default_rng(0)
X = rng.normal(size=(120, 5))
CASES = [
    *[(MLPClassifier, dict(activation=a, hidden_layer_sizes=(7, 6)), rng.integers(3, size=120))
      for a in ("relu", "tanh", "logistic", "identity")],
    (MLPClassifier, {}, rng.integers(2, size=120)),  # one logistic output
    (MLPClassifier, {}, rng.integers(2, size=(120, 3))),  # multi-label
    (MLPRegressor, {}, rng.normal(size=(120, 2))),
]


@pytest.mark.parametrize("cls, params, y", CASES)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_lean_step_loss_and_gradients_equal_autograd(cls, params, y):
    est = cls(**{"hidden_layer_sizes": (4,), **params}, max_iter=1, alpha=0.3,
              random_state=0).fit(X, y)
    Xt = torch.tensor(X[:50], dtype=torch.float32)
    if cls is MLPClassifier and est._multiclass:
        yt = torch.tensor(np.searchsorted(est.classes_, y[:50]))
    elif cls is MLPClassifier:
        yt = torch.tensor(est._label_binarizer.transform(y[:50]), dtype=torch.float32)
    else:
        yt = torch.tensor(y[:50], dtype=torch.float32)
    weight = torch.rand(50, generator=torch.Generator().manual_seed(0))
    step = est._lean_step()
    assert step is not None
    lean_loss = step(Xt, yt, weight)
    lean_grads = [p.grad.clone() for p in est.net_.module_.parameters()]
    est.net_.module_.zero_grad()
    loss = est._batch_loss(est.net_.module_(Xt), yt, weight) + 0.5 * est.alpha / 50 * sum(
        (p * p).sum() for p in est._penalised())
    loss.backward()
    assert lean_loss == pytest.approx(loss.item(), rel=1e-5)
    for lean, auto in zip(lean_grads, (p.grad for p in est.net_.module_.parameters())):
        torch.testing.assert_close(lean, auto, atol=1e-6, rtol=1e-5)


def test_extras_train_through_autograd():
    assert MLPClassifier(dropout=0.1)._lean_step() is None
    with pytest.warns(ConvergenceWarning):
        est = MLPClassifier(batch_norm=True, max_iter=2, random_state=0).fit(X, X[:, 0] > 0)
    assert est._lean_step() is None
