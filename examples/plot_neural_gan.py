"""
A GAN learning to draw digits, epoch by epoch
=============================================

A dense :class:`~sklml.neural.GAN` trained on the 8x8 digits. With
``warm_start=True`` each ``fit`` continues training, so the same latent
vectors (``sample(random_state=0)``) can be decoded after every stage: the
blobs of the first epochs become digits. The right panel shows both losses
in ``loss_curve_`` and ``discriminator_loss_curve_``: the two networks compete and neither loss goes to zero.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits

from sklml.neural import GAN

X = load_digits().data / 16
gan = GAN(generator_learning_rate=1e-3, discriminator_learning_rate=5e-4, warm_start=True,
          random_state=0)

stages = [1, 5, 15, 30, 60]
grids = []
for total, previous in zip(stages, [0, *stages[:-1]]):
    gan.set_params(max_iter=total - previous).fit(X)
    grids.append(gan.sample(8, random_state=0))

fig = plt.figure(figsize=(12, 5))
grid = fig.add_gridspec(len(stages), 10, width_ratios=[1] * 8 + [0.5, 5])
for r, (epochs, images) in enumerate(zip(stages, grids)):
    for c, img in enumerate(images):
        ax = fig.add_subplot(grid[r, c])
        ax.imshow(img.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
        if c == 0:
            ax.set_ylabel(f"epoch {epochs}", rotation=0, ha="right", va="center")
ax = fig.add_subplot(grid[:, 9])
ax.plot(gan.discriminator_loss_curve_, label="discriminator")
ax.plot(gan.loss_curve_, label="generator")
ax.set_xlabel("epoch")
ax.set_ylabel("cross-entropy")
ax.legend()
fig.suptitle("GAN samples from fixed latent vectors over training")
plt.show()
