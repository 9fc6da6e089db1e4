"""
Autoencoder reconstructions: linear (PCA), stacked and denoising
================================================================

The lectures' autoencoders on the 8x8 digits. An undercomplete autoencoder
with identity activations and the MSE loss learns the same subspace as PCA;
a nonlinear stacked autoencoder with the same 10-unit code reconstructs
better. A denoising autoencoder, trained on inputs corrupted with Gaussian
noise to reproduce the clean images, cleans noisy digits it has never seen.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from sklml.neural import Autoencoder

X = load_digits().data / 16
X_train, X_test = train_test_split(X, test_size=0.25, random_state=42)
noisy = np.clip(X_test + np.random.RandomState(0).normal(0, 0.25, X_test.shape), 0, 1)

pca = PCA(10).fit(X_train)
linear = Autoencoder(10, hidden_layer_sizes=(), activation="identity", learning_rate_init=5e-3,
                     max_iter=40, random_state=0).fit(X_train)
stacked = Autoencoder(10, hidden_layer_sizes=(128,), learning_rate_init=3e-3, max_iter=30,
                      random_state=0).fit(X_train)
denoising = Autoencoder(16, hidden_layer_sizes=(128,), noise="gaussian", noise_level=0.25,
                        learning_rate_init=3e-3, max_iter=20, random_state=0).fit(X_train)

rows = {
    "original": X_test,
    "PCA(10)": pca.inverse_transform(pca.transform(X_test)),
    "linear AE": linear.reconstruct(X_test),
    "stacked AE": stacked.reconstruct(X_test),
    "noisy input": noisy,
    "denoising AE": denoising.reconstruct(noisy),
}
for name, R in rows.items():
    print(f"{name:>13}: MSE to the clean test digits {np.mean((R - X_test) ** 2):.4f}")

n = 10
fig, axes = plt.subplots(len(rows), n, figsize=(n, len(rows) * 1.1))
for r, (name, R) in enumerate(rows.items()):
    for c in range(n):
        ax = axes[r, c]
        ax.imshow(R[c].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
    axes[r, 0].set_ylabel(name, rotation=0, ha="right", va="center")
fig.suptitle("Test digits and their reconstructions")
plt.tight_layout()
plt.show()
