"""
VAE and GAN samples against real digits and the baselines
=========================================================

:class:`~sklml.neural.VariationalAutoencoder` and :class:`~sklml.neural.GAN`
with their default parameters are trained on 1,257 of the 8x8 digits and judged
by :class:`sklml.metrics.SampleQuality`: a Fréchet distance in the hidden
layer of an MLP trained on the same digits (an FID for 8x8 images), measured
against the 540 held-out digits. Beside them, scored the same way: real training
digits (the floor), a Gaussian in 20 principal components (the linear model to
beat) and per-pixel noise. The right column shows each digit's share of the
samples: a collapsed model leaves digits out.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from sklml.metrics import SampleQuality
from sklml.neural import GAN, VariationalAutoencoder

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, _ = train_test_split(X / 16, y, test_size=0.3, random_state=0)
quality = SampleQuality(random_state=0).fit(X_train, y_train, X_test)

samples = quality.baseline_samples(1000, random_state=0)
samples["VAE()"] = (
    VariationalAutoencoder(random_state=0).fit(X_train).sample(1000, random_state=0))
samples["GAN()"] = GAN(random_state=0).fit(X_train).sample(1000, random_state=0)
names = {"real": "real digits", "pca_gaussian": "PCA-Gaussian (20)",
         "pixel_noise": "per-pixel noise"}

fig = plt.figure(figsize=(12, 6.5))
grid = fig.add_gridspec(len(samples), 12, width_ratios=[1] * 10 + [0.3, 3])
for r, (name, S) in enumerate(samples.items()):
    scores = quality.score(S)
    for c in range(10):
        ax = fig.add_subplot(grid[r, c])
        ax.imshow(S[c].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
        if c == 0:
            ax.set_ylabel(f"{names.get(name, name)}\nFID {scores.fid:.2f}", rotation=0,
                          ha="right", va="center")
    ax = fig.add_subplot(grid[r, 11])
    ax.bar(np.arange(10), 100 * scores.class_shares, color="tab:blue")
    ax.axhspan(4, 18, color="tab:green", alpha=0.15)
    ax.set_ylim(0, 35)
    ax.set_xticks(range(10) if r == len(samples) - 1 else [])
    ax.set_ylabel("%")
fig.suptitle("Samples, Fréchet distance to held-out digits, and each digit's share (green: 4-18%)")
plt.show()
