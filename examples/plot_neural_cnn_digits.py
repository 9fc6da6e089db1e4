"""
Convolutional network on handwritten digits
===========================================

:class:`~sklml.neural.CNNClassifier` on the 8x8 ``load_digits`` images: two
blocks of 3x3 convolutions, ReLU and 2x2 max-pooling, then a dense head. Flat
rows of 64 pixels are read as 8x8 images (``image_shape_``). The figure shows
the filters learned by the first convolution layer, the training loss, and
the test images the network gets wrong.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from sklml.neural import CNNClassifier

torch.set_num_threads(1)
X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X / 16.0, y, test_size=0.25, stratify=y, random_state=42)

clf = CNNClassifier(random_state=42).fit(X_train, y_train)
pred = clf.predict(X_test)
print(f"image shape {clf.image_shape_}, test accuracy {np.mean(pred == y_test):.4f}")

fig = plt.figure(figsize=(11, 6))
filters = clf.net_.module_.layers[0].weight.detach().numpy()[:, 0]  # (32, 3, 3)
for i in range(16):
    ax = fig.add_subplot(4, 12, 1 + (i // 4) * 12 + i % 4)
    ax.imshow(filters[i], cmap="RdBu")
    ax.set_axis_off()
fig.text(0.13, 0.93, "first-layer filters")

ax = fig.add_subplot(1, 3, 2)
ax.plot(clf.loss_curve_)
ax.set(xlabel="epoch", ylabel="training loss", yscale="log",
       title=f"test accuracy {np.mean(pred == y_test):.3f}")

wrong = np.flatnonzero(pred != y_test)[:16]
for k, i in enumerate(wrong):
    ax = fig.add_subplot(4, 12, 9 + (k // 4) * 12 + k % 4)
    ax.imshow(X_test[i].reshape(8, 8), cmap="gray_r")
    ax.set_title(f"{y_test[i]}->{pred[i]}", fontsize=8)
    ax.set_axis_off()
fig.text(0.7, 0.93, "misclassified (true->predicted)")
plt.show()
