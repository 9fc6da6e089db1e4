"""Torch modules of the generative estimators: autoencoders, VAE and GAN.

Images travel as flat rows in channels-last order ``(H, W, C)``, as numpy
images do; the modules reshape them to ``(N, C, H, W)`` inside.
"""

from __future__ import annotations

import copy
import math

import torch
import torch.nn.functional as F
from torch import nn

from ._modules import dense_stack
from ._torch_utils import make_activation

__all__ = ["AutoencoderModule", "VAEModule", "Generator", "Discriminator", "inference_copy"]


def inference_copy(module):
    """A float64 copy of ``module`` in eval mode.

    Inference runs in double precision so that a row's output does not move
    in the last float32 digit with the size of the batch it is computed in.
    """
    return copy.deepcopy(module).double().eval()


def _to_image(x, image_shape):
    h, w, c = image_shape
    return x.reshape(-1, h, w, c).permute(0, 3, 1, 2)


def _to_rows(x):
    return x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)


class _TiedLinear(nn.Module):
    """``y = x W^T_enc^T + b``: the transpose of an encoder layer, own bias."""

    def __init__(self, encoder_layer):
        super().__init__()
        self.encoder_layer = encoder_layer
        self.bias = nn.Parameter(torch.zeros(encoder_layer.in_features))

    def forward(self, x):
        return F.linear(x, self.encoder_layer.weight.t(), self.bias)


class _TiedConv(nn.Module):
    """Transposed convolution sharing the weights of an encoder convolution."""

    def __init__(self, encoder_conv):
        super().__init__()
        self.encoder_conv = encoder_conv
        self.bias = nn.Parameter(torch.zeros(encoder_conv.in_channels))

    def forward(self, x):
        return F.conv_transpose2d(x, self.encoder_conv.weight, self.bias, padding=1)


class _Trunk(nn.Module):
    """Encoder and decoder bodies around a code of ``n_in_code`` units.

    ``encode`` maps rows to the features the code layer reads (``out_dim``);
    ``decode`` maps the decoder's first hidden features back to output logits.
    Dense: the neural family's builder (:func:`~sklml.neural._modules.dense_stack`,
    as in the MLP) for the encoder, ``hidden_layer_sizes`` mirrored by the
    decoder. Conv: the lectures' table, 3x3 "same" convolutions and 2x2 max
    pooling, mirrored with upsampling.
    """

    def __init__(self, n_features, hidden_layer_sizes, activation, architecture,
                 image_shape, conv_channels, tied_weights):
        super().__init__()
        self.architecture = architecture
        self.activation = activation
        self.tied_weights = tied_weights
        if architecture == "dense":
            layers, self.out_dim = dense_stack(n_features, hidden_layer_sizes, activation,
                                               dropout=0.0, batch_norm=False)
            self.encoder = nn.Sequential(*layers)
            linear = [m for m in layers if isinstance(m, nn.Linear)]
            # created in the encoder's order (the same draws of the initial weights as
            # ever), applied in reverse with an activation between layers
            sizes = [n_features, *hidden_layer_sizes]
            dec = ([_TiedLinear(layer) for layer in linear] if tied_weights else
                   [nn.Linear(b, a) for a, b in zip(sizes[:-1], sizes[1:])])
            mirrored = []
            for i in reversed(range(len(dec))):
                mirrored.append(dec[i])
                if i > 0:
                    mirrored.append(make_activation(activation))
            self.decoder = nn.Sequential(*mirrored)
            self.n_hidden = len(linear)
            return
        # convolutional
        self.image_shape = tuple(image_shape)
        h, w, c = self.image_shape
        chans = [c, *conv_channels]
        self.enc = nn.ModuleList(
            nn.Conv2d(a, b, 3, padding=1) for a, b in zip(chans[:-1], chans[1:])
        )
        if tied_weights:
            self.dec = nn.ModuleList(_TiedConv(conv) for conv in self.enc)
        else:
            self.dec = nn.ModuleList(
                nn.ConvTranspose2d(b, a, 3, padding=1) for a, b in zip(chans[:-1], chans[1:])
            )
        self.sizes = []  # spatial size entering each pooling
        for _ in conv_channels:
            self.sizes.append((h, w))
            h, w = math.ceil(h / 2), math.ceil(w / 2)
        self.code_shape = (chans[-1], h, w)
        self.out_dim = chans[-1] * h * w
        self.acts = nn.ModuleList(make_activation(activation) for _ in range(2 * len(self.enc)))
        self.n_hidden = len(self.enc)

    def encode(self, x):
        if self.architecture == "dense":
            return self.encoder(x)
        x = _to_image(x, self.image_shape)
        for conv, act in zip(self.enc, self.acts):
            x = F.max_pool2d(act(conv(x)), 2, ceil_mode=True)
        return x.flatten(1)

    def decode(self, x):
        if self.architecture == "dense":
            return self.decoder(x)
        acts = self.acts[len(self.enc):]
        x = x.reshape(-1, *self.code_shape)
        for i in reversed(range(len(self.dec))):
            x = F.interpolate(x, size=self.sizes[i], mode="nearest")
            x = self.dec[i](x)
            if i > 0:
                x = acts[i](x)
        return _to_rows(x)


def _reconstruction_loss(logits, target, loss):
    """Summed over features, averaged over rows."""
    if loss == "bce":
        err = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
    else:
        err = (logits - target) ** 2
    return err.sum(1).mean()


class AutoencoderModule(nn.Module):
    """Stacked, denoising, sparse, tied or convolutional autoencoder.

    ``forward`` returns ``(output_logits, code)``; noise (``"gaussian"`` or
    ``"dropout"`` of strength ``noise_level``) corrupts the input in training
    mode only. With ``sparse`` the code goes through a sigmoid so that its
    mean activation is a probability for the KL penalty.
    """

    def __init__(self, n_features, n_components, hidden_layer_sizes=(), activation="relu",
                 architecture="dense", image_shape=None, conv_channels=(16, 8),
                 tied_weights=False, noise=None, noise_level=0.1, sparse=False,
                 loss="mse", sparsity_target=0.05, sparsity_weight=0.0):
        super().__init__()
        self.trunk = _Trunk(n_features, hidden_layer_sizes, activation, architecture,
                            image_shape, conv_channels, tied_weights)
        self.code = nn.Linear(self.trunk.out_dim, n_components)
        self.uncode = _TiedLinear(self.code) if tied_weights else nn.Linear(
            n_components, self.trunk.out_dim)
        has_hidden = self.trunk.n_hidden > 0
        self.uncode_act = make_activation(activation) if has_hidden else nn.Identity()
        self.noise, self.noise_level, self.sparse = noise, noise_level, sparse
        self.loss_name = loss
        self.sparsity_target, self.sparsity_weight = sparsity_target, sparsity_weight

    def corrupt(self, x):
        if self.noise == "gaussian":
            return x + self.noise_level * torch.randn_like(x)
        if self.noise == "dropout":
            return F.dropout(x, self.noise_level, training=True)
        return x

    def encode(self, x):
        code = self.code(self.trunk.encode(x))
        return torch.sigmoid(code) if self.sparse else code

    def decode(self, code):
        """Output logits (pre-sigmoid when the loss is "bce")."""
        return self.trunk.decode(self.uncode_act(self.uncode(code)))

    def forward(self, x):
        if self.training:
            x = self.corrupt(x)
        code = self.encode(x)
        return self.decode(code), code

    def loss(self, outputs, target):
        logits, code = outputs
        loss = _reconstruction_loss(logits, target, self.loss_name) / target.shape[1]
        if self.sparse and self.sparsity_weight > 0:
            rho = self.sparsity_target
            rho_hat = code.mean(0).clamp(1e-6, 1 - 1e-6)
            kl = rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))
            loss = loss + self.sparsity_weight * kl.sum()
        return loss


class VAEModule(nn.Module):
    """Gaussian-latent variational autoencoder.

    The decoder is Bernoulli for ``loss="bce"`` and Gaussian for ``loss="mse"``
    with one noise variance set to its maximum-likelihood value, the mean
    squared error ("sigma-VAE"): the ELBO is then a true bound and the balance
    between reconstruction and KL needs no tuning. A running average of it
    (buffer ``sigma2``) serves in eval mode.
    ``forward`` returns ``(output_logits, mu, logvar)``.
    """

    def __init__(self, n_features, n_components, hidden_layer_sizes=(), activation="relu",
                 architecture="dense", image_shape=None, conv_channels=(16, 8),
                 loss="mse", beta=1.0, n_classes=0):
        super().__init__()
        self.trunk = _Trunk(n_features, hidden_layer_sizes, activation, architecture,
                            image_shape, conv_channels, False)
        self.mu = nn.Linear(self.trunk.out_dim, n_components)
        self.logvar = nn.Linear(self.trunk.out_dim, n_components)
        # class-conditional (n_classes > 0): the decoder reads the code and the one-hot label
        self.n_features, self.n_classes = n_features, n_classes
        self.uncode = nn.Linear(n_components + n_classes, self.trunk.out_dim)
        has_hidden = self.trunk.n_hidden > 0
        self.uncode_act = make_activation(activation) if has_hidden else nn.Identity()
        self.register_buffer("sigma2", torch.ones(()))
        self.loss_name, self.beta = loss, beta

    def encode(self, x):
        h = self.trunk.encode(x[:, :self.n_features])
        return self.mu(h), self.logvar(h).clamp(-12, 12)

    def decode(self, z, labels=None):
        """Output logits; ``labels`` (one-hot rows) are needed by a conditional module."""
        if self.n_classes:
            if labels is None:
                raise ValueError("this VAE is class-conditional: decoding needs the labels")
            z = torch.cat([z, labels.to(z.dtype)], 1)
        return self.trunk.decode(self.uncode_act(self.uncode(z)))

    def forward(self, x):
        """``x``: rows, followed by their one-hot labels when conditional."""
        mu, logvar = self.encode(x)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu) if self.training else mu
        labels = x[:, self.n_features:] if self.n_classes else None
        return self.decode(z, labels), mu, logvar

    def log_likelihood(self, logits, x):
        """``log p(x | z)`` per row."""
        if self.loss_name == "bce":
            return -F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1)
        sq = ((logits - x) ** 2).sum(1)
        if self.training:
            sigma2 = (sq.mean() / x.shape[1]).detach().clamp(min=1e-6)
            with torch.no_grad():
                self.sigma2.lerp_(sigma2, 0.1)
        else:
            sigma2 = self.sigma2
        return -0.5 * (sq / sigma2 + x.shape[1] * torch.log(2 * math.pi * sigma2))

    @staticmethod
    def kl(mu, logvar):
        return 0.5 * (mu**2 + torch.exp(logvar) - 1.0 - logvar).sum(1)

    def loss(self, outputs, target):
        logits, mu, logvar = outputs
        per_row = -self.log_likelihood(logits, target) + self.beta * self.kl(mu, logvar)
        return per_row.mean() / target.shape[1]


class MinibatchStd(nn.Module):
    """Minibatch discrimination, in its minibatch-standard-deviation form.

    Appends the batch's mean feature standard deviation to every row, so the
    discriminator sees when a batch of fakes lacks variety. In eval mode a
    running average replaces the batch statistic, keeping ``score_samples``
    a function of each row alone.
    """

    def __init__(self, momentum=0.1):
        super().__init__()
        self.momentum = momentum
        self.register_buffer("running_std", torch.zeros(()))

    def forward(self, x):
        if self.training:
            std = x.std(0, unbiased=False).mean() if x.shape[0] > 1 else x.new_zeros(())
            with torch.no_grad():
                self.running_std.lerp_(std.detach(), self.momentum)
        else:
            std = self.running_std
        return torch.cat([x, std.expand(x.shape[0], 1)], 1)


class Generator(nn.Module):
    """Latent vector -> row in [-1, 1] (tanh output).

    ``"dense"``: hidden layers with ReLU. ``"dcgan"``: the DCGAN guidelines —
    a projection reshaped to a small feature map, then stride-2 transposed
    convolutions with batch norm and ReLU, no batch norm on the output.
    """

    def __init__(self, latent_dim, n_features, architecture="dense",
                 hidden_layer_sizes=(128, 256), image_shape=None, conv_channels=(64, 32),
                 n_classes=0):
        super().__init__()
        self.architecture = architecture
        # class-conditional (n_classes > 0): the one-hot label joins the latent vector
        self.n_classes = n_classes
        latent_dim = latent_dim + n_classes
        if architecture == "dense":
            sizes = [latent_dim, *hidden_layer_sizes]
            layers = []
            for a, b in zip(sizes[:-1], sizes[1:]):
                layers += [nn.Linear(a, b), nn.ReLU()]
            layers.append(nn.Linear(sizes[-1], n_features))
            self.net = nn.Sequential(*layers)
            return
        h, w, c = image_shape
        self.image_shape = tuple(image_shape)
        k = len(conv_channels)
        self.start = (conv_channels[0], math.ceil(h / 2**k), math.ceil(w / 2**k))
        self.project = nn.Linear(latent_dim, math.prod(self.start), bias=False)
        layers = [nn.BatchNorm2d(conv_channels[0]), nn.ReLU()]
        chans = [*conv_channels, c]
        for i, (a, b) in enumerate(zip(chans[:-1], chans[1:])):
            layers.append(nn.ConvTranspose2d(a, b, 4, stride=2, padding=1, bias=i == k - 1))
            if i < k - 1:
                layers += [nn.BatchNorm2d(b), nn.ReLU()]
        self.net = nn.Sequential(*layers)

    def forward(self, z, labels=None):
        if self.n_classes:
            z = torch.cat([z, labels.to(z.dtype)], 1)
        if self.architecture == "dense":
            return torch.tanh(self.net(z))
        x = self.net(self.project(z).reshape(-1, *self.start))
        h, w, _ = self.image_shape
        return torch.tanh(_to_rows(x[:, :, :h, :w]))


class Discriminator(nn.Module):
    """Row -> logit of "real".

    ``"dense"``: hidden layers with LeakyReLU(0.2). ``"dcgan"``: stride-2
    convolutions instead of pooling, batch norm on all but the input layer,
    LeakyReLU everywhere. ``minibatch_std`` adds :class:`MinibatchStd` before
    the last layer.
    """

    def __init__(self, n_features, architecture="dense", hidden_layer_sizes=(256, 128),
                 image_shape=None, conv_channels=(32, 64), minibatch_std=False, n_classes=0):
        super().__init__()
        self.architecture = architecture
        # class-conditional (n_classes > 0): the one-hot label joins the input (dense)
        # or the last features (dcgan)
        self.n_classes = n_classes
        if architecture == "dense":
            sizes = [n_features + n_classes, *hidden_layer_sizes]
            layers = []
            for a, b in zip(sizes[:-1], sizes[1:]):
                layers += [nn.Linear(a, b), nn.LeakyReLU(0.2)]
            self.body = nn.Sequential(*layers)
            out = sizes[-1]
        else:
            self.image_shape = tuple(image_shape)
            h, w, c = self.image_shape
            chans = [c, *conv_channels]
            layers = []
            for i, (a, b) in enumerate(zip(chans[:-1], chans[1:])):
                layers.append(nn.Conv2d(a, b, 4, stride=2, padding=1, bias=i == 0))
                if i > 0:
                    layers.append(nn.BatchNorm2d(b))
                layers.append(nn.LeakyReLU(0.2))
            self.body = nn.Sequential(*layers, nn.Flatten())
            for _ in conv_channels:  # a 4x4 kernel, stride 2, padding 1
                h, w = (h - 2) // 2 + 1, (w - 2) // 2 + 1
            out = chans[-1] * h * w
        self.mbstd = MinibatchStd() if minibatch_std else None
        extra = (1 if minibatch_std else 0) + (n_classes if architecture != "dense" else 0)
        self.head = nn.Linear(out + extra, 1)

    def forward(self, x, labels=None):
        conditional_input = self.n_classes and self.architecture == "dense"
        if conditional_input:
            x = torch.cat([x, labels.to(x.dtype)], 1)
        if self.architecture != "dense":
            x = _to_image(x, self.image_shape)
        h = self.body(x)
        if self.mbstd is not None:
            h = self.mbstd(h)
        if self.n_classes and not conditional_input:
            h = torch.cat([h, labels.to(h.dtype)], 1)
        return self.head(h).squeeze(1)
