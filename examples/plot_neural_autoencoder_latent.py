"""
A 2-D latent space of the digits: PCA, autoencoder and VAE
==========================================================

With a code of two units an autoencoder gives a map of the data. The classes
of the digits separate better in the nonlinear autoencoder's code than in the
first two principal components; the VAE's code is pushed towards a standard
normal cloud, with fewer holes, which is what lets it generate new digits.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA

from sklml.neural import Autoencoder, VariationalAutoencoder

digits = load_digits()
X, y = digits.data / 16, digits.target

codes = {
    "PCA": PCA(2).fit_transform(X),
    "Autoencoder": Autoencoder(2, hidden_layer_sizes=(128, 32), learning_rate_init=3e-3,
                               max_iter=30, random_state=0).fit_transform(X),
    "VAE (code mean)": VariationalAutoencoder(2, hidden_layer_sizes=(128, 32), loss="bce",
                                              learning_rate_init=3e-3, max_iter=30,
                                              random_state=0).fit_transform(X),
}

fig, axes = plt.subplots(1, 3, figsize=(14, 4.5))
for ax, (name, Z) in zip(axes, codes.items()):
    points = ax.scatter(Z[:, 0], Z[:, 1], c=y, cmap="tab10", s=6)
    ax.set_title(name)
    ax.set_xticks([])
    ax.set_yticks([])
fig.colorbar(points, ax=axes, ticks=range(10), label="digit")
plt.show()
