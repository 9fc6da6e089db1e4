"""
Multi-layer perceptron on handwritten digits: optimizers and regularisation
===========================================================================

The lectures' dense network on the 8x8 ``load_digits`` images, trained with
:class:`~sklml.neural.MLPClassifier` (skorch inside). The left panel compares
the gradient-descent variants of the lectures (plain SGD, momentum, Nesterov,
AdaGrad, RMSProp, Adam, Nadam; scikit-learn's ``solver``, ``momentum`` and
``nesterovs_momentum``) by their training loss per epoch; the right panel
shows early stopping on a held-out validation split, which keeps the weights
of the epoch with the best validation accuracy.
"""

import matplotlib.pyplot as plt
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from sklml.neural import MLPClassifier

torch.set_num_threads(1)  # a small network: one thread is fastest
X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X / 16.0, y, test_size=0.25, stratify=y, random_state=42)

fig, (ax_opt, ax_es) = plt.subplots(1, 2, figsize=(11, 4))
variants = [("sgd", dict(solver="sgd", momentum=0.0), 0.05),
            ("momentum", dict(solver="sgd", nesterovs_momentum=False), 0.05),
            ("nesterov", dict(solver="sgd"), 0.05),
            ("adagrad", dict(solver="adagrad"), 0.05), ("rmsprop", dict(solver="rmsprop"), 1e-3),
            ("adam", dict(solver="adam"), 1e-3), ("nadam", dict(solver="nadam"), 1e-3)]
for name, solver, lr in variants:
    clf = MLPClassifier(hidden_layer_sizes=(100,), learning_rate_init=lr, batch_size=64,
                        max_iter=30, tol=None, random_state=0, **solver)
    clf.fit(X_train, y_train)
    ax_opt.plot(clf.loss_curve_,
                label=f"{name} (lr={lr}): test acc {clf.score(X_test, y_test):.3f}")
ax_opt.set(xlabel="epoch", ylabel="training loss", yscale="log", title="Optimizers")
ax_opt.legend(fontsize=7)

clf = MLPClassifier(hidden_layer_sizes=(256, 256), dropout=0.2, early_stopping=True,
                    n_iter_no_change=10, learning_rate_init=3e-3, max_iter=200,
                    random_state=0).fit(X_train, y_train)
ax_es.plot(clf.loss_curve_, label="training loss")
ax_es.plot([1 - s for s in clf.validation_scores_], label="validation error rate")
best = clf.validation_scores_.index(clf.best_validation_score_)
ax_es.axvline(best, color="k", ls=":", label=f"best epoch {best}")
ax_es.set(xlabel="epoch", ylabel="loss / error rate", yscale="log",
          title=f"Early stopping: test accuracy {clf.score(X_test, y_test):.3f}")
ax_es.legend()
fig.tight_layout()
plt.show()
