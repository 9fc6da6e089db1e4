"""
Multi-layer perceptron on handwritten digits: optimizers and regularisation
===========================================================================

The lectures' dense network on the 8x8 ``load_digits`` images, trained with
:class:`~sklml.neural.MLPClassifier` (skorch inside). The left panel compares
the gradient-descent variants of the lectures (plain SGD, momentum, Nesterov,
AdaGrad, RMSProp, Adam, Nadam) by their training loss per epoch; the right
panel shows early stopping on a held-out validation split, which keeps the
weights of the best epoch.
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
for optimizer, lr in [("sgd", 0.05), ("momentum", 0.05), ("nesterov", 0.05),
                      ("adagrad", 0.05), ("rmsprop", 1e-3), ("adam", 1e-3), ("nadam", 1e-3)]:
    clf = MLPClassifier(hidden_layer_sizes=(100,), optimizer=optimizer, learning_rate=lr,
                        batch_size=64, max_epochs=30, tol=None, random_state=0)
    clf.fit(X_train, y_train)
    ax_opt.plot(clf.loss_curve_,
                label=f"{optimizer} (lr={lr}): test acc {clf.score(X_test, y_test):.3f}")
ax_opt.set(xlabel="epoch", ylabel="training loss", yscale="log", title="Optimizers")
ax_opt.legend(fontsize=7)

clf = MLPClassifier(hidden_layer_sizes=(256, 256), dropout=0.2, early_stopping=True,
                    n_iter_no_change=10, learning_rate=3e-3, max_epochs=200,
                    random_state=0).fit(X_train, y_train)
ax_es.plot(clf.loss_curve_, label="training loss")
ax_es.plot(clf.validation_loss_curve_, label="validation loss")
best = clf.validation_loss_curve_.index(clf.best_validation_loss_)
ax_es.axvline(best, color="k", ls=":", label=f"best epoch {best}")
ax_es.set(xlabel="epoch", ylabel="loss", yscale="log",
          title=f"Early stopping: test accuracy {clf.score(X_test, y_test):.3f}")
ax_es.legend()
fig.tight_layout()
plt.show()
