"""Generative adversarial network (dense or DCGAN) with its own two-network training loop.

The GAN is the one neural estimator that does not train through the skorch base
of :mod:`sklml.neural._base`: that loop minimises one loss of one module with one
optimiser, while adversarial training alternates two optimisers on two losses
(the discriminator's step on real and generated rows, then the generator's step
through the updated discriminator), keeps a weight average of the generator and
has no loss that converges. Everything else is the training contract's
(:mod:`sklml._training`): ``max_iter``, the device policy, local seeding, the
``verbose`` reporter and the history names.
"""

from __future__ import annotations

from numbers import Integral, Real

import copy

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .._training import (
    TRAINING_CONSTRAINTS,
    ProgressReporter,
    deprecated_alias,
    draw_seed,
    resolve_device,
)
from ._autoencoder import _check_sizes, check_image_shape
from ._generative_modules import inference_copy
from ._vae import check_n_samples, fit_class_labels, one_hot, sample_labels

__all__ = ["GAN"]

_CHUNK = 4096


class GAN(BaseEstimator):
    """Generative adversarial network: a generator against a discriminator.

    Each step trains the discriminator to tell real rows (label 1) from
    generated ones (label 0), then the generator to make the discriminator
    call its rows real (cross-entropy losses, each step updating one network
    only). Rows are scaled to [-1, 1] per feature for the tanh output and
    scaled back by ``sample``.

    Parameters
    ----------
    latent_dim : int, default=16
        Size of the generator's random input.
    architecture : {"dense", "dcgan"}, default="dense"
        ``"dcgan"`` follows the DCGAN guidelines: strided convolutions in the
        discriminator and transposed convolutions in the generator instead of
        pooling, batch norm in both (not on the generator's output nor the
        discriminator's input), ReLU in the generator with a tanh output,
        LeakyReLU in the discriminator, no fully connected hidden layers.
    image_shape : tuple (H, W) or (H, W, C), default=None
        Shape of each row as an image (channels last); needed by ``"dcgan"``.
    hidden_layer_sizes : tuple of int, default=(128, 256)
        Dense generator's hidden layers; the dense discriminator mirrors them.
    conv_channels : tuple of int, default=(64, 32)
        DCGAN generator channels, from the smallest feature map to the
        largest; the discriminator mirrors them.
    generator_learning_rate : float, default=1e-3
    discriminator_learning_rate : float, default=5e-4
        Adam with beta1 = 0.5, as in the DCGAN paper; the generator steps
        faster than the discriminator.
    collapse_mitigation : {None, "minibatch", "replay"}, default="minibatch"
        Mode-collapse remedy: ``"minibatch"`` (minibatch discrimination: the
        discriminator also sees the spread of the batch) or ``"replay"``
        (experience replay: half of the fakes shown to the discriminator are
        drawn from a buffer of earlier generations). The defaults (these
        rates, minibatch discrimination, 300 epochs) were chosen on
        ``load_digits()/16``: samples below the PCA-Gaussian's Fréchet
        distance with every digit generated, seeds 0-4, ~30 s of CPU
        (:mod:`sklml.metrics`, issue #20).
    conditional : bool, default=False
        Class-conditional GAN: ``fit(X, y)`` feeds the one-hot class of each
        row to both networks, and ``sample(n, y=labels)`` generates rows of
        the requested classes.
    label_smoothing : float, default=0.0
        One-sided label smoothing: real rows get label ``1 - label_smoothing``.
    generator_ema : float, default=0.999
        Decay of an exponential moving average of the generator's weights;
        ``sample`` uses the averaged generator, which wobbles far less from
        step to step than the trained one. 0 disables it. The decay warms up
        as ``min(generator_ema, (1 + t) / (10 + t))`` after ``t`` steps, so
        short trainings are not stuck near the initial weights.
    batch_size : int, default=64
    max_iter : int, default=300
        Number of epochs. An adversarial game has no loss to converge, so
        there is no ``tol`` stopping and no ``ConvergenceWarning``.
    warm_start : bool, default=False
        Continue training the fitted networks on the next ``fit``.
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, the shuffling and the latent draws of the fit
        through generators local to it (the global torch seed is left alone).
    device : {"auto", "cpu", "cuda"}, default="auto"
        ``"auto"`` picks CUDA when present; ``"cuda"`` on a machine without
        CUDA warns and trains on the CPU.
    verbose : int, default=0
        0 quiet, 1 one progress bar for the fit, 2 a line per epoch.
    max_epochs : int, default=None
        Deprecated alias of ``max_iter`` (``FutureWarning``).

    Attributes
    ----------
    generator_, discriminator_ : torch.nn.Module
        The fitted networks (kept on the CPU between fits); ``generator_`` is
        the weight-averaged generator when ``generator_ema > 0``.
    loss_curve_ : list of float
        Generator loss per epoch (mean over the batches).
    discriminator_loss_curve_ : list of float
        Discriminator loss per epoch.
    loss_ : float
        Generator loss of the last epoch.
    validation_scores_, best_validation_score_, best_loss_ : None
        The contract's attributes, always None here: a GAN has no held-out
        score, and its two losses are not minimised together, so no epoch has
        a "best" loss.
    history_ : dict of list
        ``"discriminator_loss"`` and ``"generator_loss"`` per epoch (the two
        curves above, under their earlier name).
    n_iter_ : int
        Epochs run in total.
    data_min_, data_max_ : ndarray of shape (n_features_in_,)
        Per-feature range of the training data.
    classes_, class_prior_ : ndarray of shape (n_classes,)
        Class labels and their frequencies in ``y`` (``conditional=True`` only).
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Notes
    -----
    The training loop is the GAN's own, not the skorch base of the other
    neural estimators (:class:`MLPClassifier`, :class:`Autoencoder`, ...):
    each batch takes two optimiser steps on two losses (discriminator, then
    generator through the updated discriminator) and updates the generator's
    weight average, which a one-module, one-loss loop cannot express. It
    follows the training contract otherwise (``max_iter``, ``device``,
    ``random_state`` through local generators, ``verbose``, ``n_iter_`` and
    ``loss_curve_``); ``tol``, ``early_stopping`` and the
    ``ConvergenceWarning`` are left out because the adversarial losses do
    not converge.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklml.neural import GAN
    >>> X = load_digits().data[:200] / 16
    >>> gan = GAN(max_iter=2, random_state=0).fit(X)
    >>> gan.sample(4, random_state=0).shape
    (4, 64)
    >>> sorted(gan.history_)
    ['discriminator_loss', 'generator_loss']
    """

    _parameter_constraints = {
        "latent_dim": [Interval(Integral, 1, None, closed="left")],
        "architecture": [StrOptions({"dense", "dcgan"})],
        "image_shape": ["array-like", None],
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "conv_channels": ["array-like", Interval(Integral, 1, None, closed="left")],
        "generator_learning_rate": [Interval(Real, 0, None, closed="neither")],
        "discriminator_learning_rate": [Interval(Real, 0, None, closed="neither")],
        "collapse_mitigation": [StrOptions({"minibatch", "replay"}), None],
        "conditional": ["boolean"],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
        "generator_ema": [Interval(Real, 0, 1, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_iter": TRAINING_CONSTRAINTS["max_iter"],
        "warm_start": ["boolean"],
        "random_state": TRAINING_CONSTRAINTS["random_state"],
        "device": TRAINING_CONSTRAINTS["device"],
        "verbose": TRAINING_CONSTRAINTS["verbose"],
        "max_epochs": [Interval(Integral, 1, None, closed="left"), None],  # deprecated
    }

    def __init__(self, latent_dim=16, *, architecture="dense", image_shape=None,
                 hidden_layer_sizes=(128, 256), conv_channels=(64, 32),
                 generator_learning_rate=1e-3, discriminator_learning_rate=5e-4,
                 collapse_mitigation="minibatch", conditional=False, label_smoothing=0.0,
                 generator_ema=0.999,
                 batch_size=64, max_iter=300,
                 warm_start=False, random_state=None, device="auto", verbose=0, max_epochs=None):
        self.latent_dim = latent_dim
        self.architecture = architecture
        self.image_shape = image_shape
        self.hidden_layer_sizes = hidden_layer_sizes
        self.conv_channels = conv_channels
        self.generator_learning_rate = generator_learning_rate
        self.discriminator_learning_rate = discriminator_learning_rate
        self.collapse_mitigation = collapse_mitigation
        self.conditional = conditional
        self.label_smoothing = label_smoothing
        self.generator_ema = generator_ema
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.warm_start = warm_start
        self.random_state = random_state
        self.device = device
        self.verbose = verbose
        self.max_epochs = max_epochs

    @classmethod
    def get_test_params(cls):
        return {"latent_dim": 2, "hidden_layer_sizes": (8,), "max_iter": 3, "batch_size": 16}

    @classmethod
    def get_compare_params(cls):
        return {"hidden_layer_sizes": (32, 64), "max_iter": 20}

    def _scale(self, X):
        return 2.0 * (X - self.data_min_) / self._range - 1.0

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train generator and discriminator on the rows of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or None
            Class of each row, used (and needed) when ``conditional=True``;
            ignored otherwise.

        Returns
        -------
        self
        """
        from ._torch_utils import local_torch_rng

        warm = self.warm_start and hasattr(self, "generator_")
        X = validate_data(self, X, reset=not warm, dtype=[np.float64, np.float32])
        labels = None
        if self.conditional:
            if warm:
                labels = one_hot(self.classes_, np.asarray(y))
            else:
                self.classes_, self.class_prior_ = fit_class_labels(self, X, y)
                labels = one_hot(self.classes_, y)
        max_iter = deprecated_alias(self, "max_epochs", "max_iter")
        device = resolve_device(self.device, "GAN")
        seed = draw_seed(self.random_state)
        with local_torch_rng(seed, device):
            return self._fit(X, labels, warm, max_iter, device, seed)

    def _fit(self, X, labels, warm, max_iter, device, seed):
        import torch

        from ._generative_modules import Discriminator, Generator
        from ._torch_utils import to_float32

        gen = torch.Generator().manual_seed(seed)
        if not warm:
            hidden = _check_sizes(self.hidden_layer_sizes, "hidden_layer_sizes", allow_empty=False)
            channels = _check_sizes(self.conv_channels, "conv_channels", allow_empty=False)
            image_shape = (check_image_shape(self.image_shape, X.shape[1], self.architecture)
                           if self.architecture == "dcgan" else None)
            if image_shape is not None and min(image_shape[:2]) < 2 ** len(channels):
                raise ValueError(
                    f"image_shape={tuple(self.image_shape)} is too small for "
                    f"{len(channels)} stride-2 layers (conv_channels={tuple(channels)}): "
                    f"height and width must be >= {2 ** len(channels)}"
                )
            self.data_min_ = X.min(0)
            self.data_max_ = X.max(0)
            n_classes = 0 if labels is None else labels.shape[1]
            G = Generator(self.latent_dim, X.shape[1], self.architecture, hidden,
                          image_shape, channels, n_classes)
            D = Discriminator(X.shape[1], self.architecture, hidden[::-1], image_shape,
                              channels[::-1], minibatch_std=self.collapse_mitigation == "minibatch",
                              n_classes=n_classes)
            self.history_ = {"discriminator_loss": [], "generator_loss": []}
            self.n_iter_ = 0
            self._steps = 0
            # (trained generator, discriminator, their Adam optimisers): warm_start resumes them
            self._train_state = (G, D, torch.optim.Adam(G.parameters(), betas=(0.5, 0.999)),
                                 torch.optim.Adam(D.parameters(), betas=(0.5, 0.999)))
            self.generator_ = copy.deepcopy(G)
        rng = self.data_max_ - self.data_min_
        self._range = np.where(rng > 0, rng, 1.0)
        G, D, opt_g, opt_d = self._train_state
        G, D, G_avg = G.to(device), D.to(device), self.generator_.to(device)
        for opt in (opt_g, opt_d):  # optimiser state follows its parameters to the device
            for state in opt.state.values():
                for k, v in state.items():
                    if torch.is_tensor(v) and v.dim() > 0:
                        state[k] = v.to(device)
        opt_g.param_groups[0]["lr"] = self.generator_learning_rate
        opt_d.param_groups[0]["lr"] = self.discriminator_learning_rate
        data = torch.from_numpy(to_float32(self._scale(X))).to(device)
        n, bs = data.shape[0], min(self.batch_size, data.shape[0])
        onehot = None if labels is None else torch.from_numpy(labels).to(device)
        replay = data.new_empty((0, data.shape[1]))
        replay_size = 20 * bs
        real_label = 1.0 - self.label_smoothing

        G.train()
        D.train()
        progress = ProgressReporter(self.verbose, total=max_iter, desc="GAN")
        with progress:
            self._epochs(progress, max_iter, G, D, G_avg, opt_g, opt_d, data, gen, device,
                         replay, replay_size, real_label, n, bs, onehot)
        self.loss_curve_ = list(self.history_["generator_loss"])
        self.discriminator_loss_curve_ = list(self.history_["discriminator_loss"])
        self.loss_ = self.loss_curve_[-1]
        self.validation_scores_ = self.best_validation_score_ = self.best_loss_ = None
        # fitted networks live on the CPU: they pickle and load anywhere
        for opt in (opt_g, opt_d):
            for state in opt.state.values():
                for k, v in state.items():
                    if torch.is_tensor(v) and v.dim() > 0:
                        state[k] = v.cpu()
        G.cpu(), D.cpu().eval()
        self.generator_ = G_avg.cpu().eval()
        self.discriminator_ = D
        return self

    def _epochs(self, progress, max_iter, G, D, G_avg, opt_g, opt_d, data, gen, device,
                replay, replay_size, real_label, n, bs, onehot):
        import torch
        import torch.nn.functional as F

        replay_labels = None if onehot is None else onehot.new_empty((0, onehot.shape[1]))
        for _ in range(max_iter):
            perm = torch.randperm(n, generator=gen).to(device)
            d_total = g_total = 0.0
            for start in range(0, n, bs):
                batch = perm[start:start + bs]
                real = data[batch]
                # conditional: the fakes are asked for the classes of the real batch
                lab = None if onehot is None else onehot[batch]
                b = real.shape[0]
                z = torch.randn(b, self.latent_dim, generator=gen).to(device)
                fake = G(z, lab)
                shown, shown_lab = fake.detach(), lab
                if self.collapse_mitigation == "replay" and replay.shape[0] >= b:
                    k = b // 2
                    pick = torch.randint(replay.shape[0], (k,), generator=gen).to(device)
                    shown = torch.cat([shown[: b - k], replay[pick]])
                    if lab is not None:
                        shown_lab = torch.cat([lab[: b - k], replay_labels[pick]])
                # discriminator step: real -> 1, fake -> 0
                d_real, d_fake = D(real, lab), D(shown, shown_lab)
                loss_d = (F.binary_cross_entropy_with_logits(d_real,
                                                             torch.full_like(d_real, real_label))
                          + F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake)))
                opt_d.zero_grad()
                loss_d.backward()
                opt_d.step()
                # generator step: fakes labelled real, only G updated
                d_gen = D(fake, lab)
                loss_g = F.binary_cross_entropy_with_logits(d_gen, torch.ones_like(d_gen))
                opt_g.zero_grad()
                loss_g.backward()
                opt_g.step()
                self._update_average(G_avg, G)
                if self.collapse_mitigation == "replay":
                    replay = torch.cat([fake.detach(), replay])[:replay_size]
                    if lab is not None:
                        replay_labels = torch.cat([lab, replay_labels])[:replay_size]
                d_total += loss_d.item() * b
                g_total += loss_g.item() * b
            self.history_["discriminator_loss"].append(d_total / n)
            self.history_["generator_loss"].append(g_total / n)
            self.n_iter_ += 1
            progress.update(generator_loss=g_total / n, discriminator_loss=d_total / n)

    def _update_average(self, G_avg, G):
        """One step of the generator's exponential moving average."""
        import torch

        self._steps += 1
        decay = min(self.generator_ema, (1 + self._steps) / (10 + self._steps))
        with torch.no_grad():
            for p_avg, p in zip(G_avg.parameters(), G.parameters()):
                p_avg.lerp_(p, 1.0 - decay)
            for b_avg, b in zip(G_avg.buffers(), G.buffers()):
                b_avg.copy_(b)

    def sample(self, n_samples=1, random_state=None, y=None):
        """Generate rows from random latent vectors.

        Parameters
        ----------
        n_samples : int, default=1
        random_state : int, RandomState instance or None, default=None
            Makes the draws reproducible.
        y : array-like of shape (n_samples,) or None, default=None
            Classes of the rows to generate (``conditional=True`` only); None
            draws them from ``class_prior_``.

        Returns
        -------
        ndarray of shape (n_samples, n_features_in_)
            In the training data's per-feature range.
        """
        import torch

        check_is_fitted(self)
        n_samples = check_n_samples(n_samples)
        rng = check_random_state(random_state)
        z = torch.from_numpy(rng.standard_normal((n_samples, self.latent_dim)))
        if not self.conditional and y is not None:
            raise ValueError("sample(y=...) needs a GAN fitted with conditional=True")
        labels = (torch.from_numpy(sample_labels(self, n_samples, y, rng)).double()
                  if self.conditional else None)
        generator = inference_copy(self.generator_)
        with torch.no_grad():
            out = torch.cat([
                generator(z[i:i + _CHUNK], None if labels is None else labels[i:i + _CHUNK])
                for i in range(0, n_samples, _CHUNK)]).numpy()
        X = (out + 1.0) / 2.0 * self._range + self.data_min_
        return np.clip(X, self.data_min_, self.data_max_)

    def score_samples(self, X, y=None):
        """The discriminator's logit of "real" for each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or None, default=None
            The rows' classes, needed by a GAN fitted with ``conditional=True``.

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        import torch

        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        x = torch.tensor(self._scale(X), dtype=torch.float64)
        labels = None
        if self.conditional:
            if y is None:
                raise ValueError("this GAN is class-conditional: score_samples needs y")
            if len(y) != len(X):
                raise ValueError(f"X has {len(X)} rows and y {len(y)} labels")
            labels = torch.from_numpy(one_hot(self.classes_, np.asarray(y))).double()
        discriminator = inference_copy(self.discriminator_)
        with torch.no_grad():
            out = [discriminator(x[i:i + _CHUNK],
                                 None if labels is None else labels[i:i + _CHUNK])
                   for i in range(0, x.shape[0], _CHUNK)]
        return torch.cat(out).numpy()
