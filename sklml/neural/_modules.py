"""Torch modules behind the supervised neural estimators (MLP, CNN, RNN).

Every ``forward`` takes the batch as ``X`` plus an ignored ``sample_weight``
keyword: skorch hands the keys of a dict ``X`` (data and weights) to the
module, and the weights are only for the loss.
"""

from __future__ import annotations

import torch
from torch import nn

from ._torch_utils import init_weights, make_activation

__all__ = ["MLPModule", "CNNModule", "RNNModule", "LayerNormRNN"]


def resolve_init(init, activation):
    """``init="auto"``: He for ReLU-like units, LeCun for SELU, Glorot otherwise."""
    if init != "auto":
        return init
    if activation in ("relu", "leaky_relu", "elu"):
        return "he"
    return "lecun" if activation == "selu" else "glorot"


def dense_stack(n_in, hidden_layer_sizes, activation, dropout, batch_norm):
    """Linear [-> BatchNorm] -> activation [-> Dropout] per hidden layer."""
    layers = []
    for width in hidden_layer_sizes:
        layers.append(nn.Linear(n_in, width))
        if batch_norm:
            layers.append(nn.BatchNorm1d(width))
        layers.append(make_activation(activation))
        if dropout:
            layers.append(nn.Dropout(dropout))
        n_in = width
    return layers, n_in


class MLPModule(nn.Module):
    """Fully connected network: ``n_features -> hidden... -> n_outputs``."""

    def __init__(self, n_features, n_outputs, hidden_layer_sizes=(100,),
                 activation="relu", dropout=0.0, batch_norm=False, init="auto"):
        super().__init__()
        layers, width = dense_stack(n_features, hidden_layer_sizes, activation,
                                    dropout, batch_norm)
        layers.append(nn.Linear(width, n_outputs))
        self.layers = nn.Sequential(*layers)
        init_weights(self, resolve_init(init, activation), activation)

    def forward(self, X, sample_weight=None):
        return self.layers(X)


class CNNModule(nn.Module):
    """Convolution blocks (conv [-> BatchNorm] -> activation -> max-pool) and a
    dense head, for images of shape ``(channels, height, width)``.

    Convolutions keep the size (``padding="same"``); a pooling window larger
    than what is left of an axis shrinks to that axis, so small images work.
    """

    def __init__(self, image_shape, n_outputs, conv_channels=(32, 64), kernel_size=3,
                 pool=2, hidden_layer_sizes=(128,), activation="relu", dropout=0.0,
                 batch_norm=False, init="auto"):
        super().__init__()
        channels, height, width = image_shape
        blocks = []
        for out_channels in conv_channels:
            blocks.append(nn.Conv2d(channels, out_channels, kernel_size, padding="same"))
            if batch_norm:
                blocks.append(nn.BatchNorm2d(out_channels))
            blocks.append(make_activation(activation))
            window = (min(pool, height), min(pool, width))
            if window != (1, 1):
                blocks.append(nn.MaxPool2d(window))
                height, width = height // window[0], width // window[1]
            channels = out_channels
        blocks.append(nn.Flatten())
        head, n_in = dense_stack(channels * height * width, hidden_layer_sizes,
                                 activation, dropout, batch_norm)
        self.layers = nn.Sequential(*blocks, *head, nn.Linear(n_in, n_outputs))
        init_weights(self, resolve_init(init, activation), activation)

    def forward(self, X, sample_weight=None):
        return self.layers(X)


class _LayerNormCell(nn.Module):
    """One step of an RNN/GRU/LSTM cell with layer normalisation of the
    pre-activations (Ba, Kiros & Hinton 2016), the lectures' remedy placed
    "just before the activation function"."""

    GATES = {"rnn": 1, "gru": 3, "lstm": 4}

    def __init__(self, cell, n_in, hidden_size):
        super().__init__()
        self.cell, self.hidden_size = cell, hidden_size
        n_gates = self.GATES[cell]
        self.ih = nn.Linear(n_in, n_gates * hidden_size)
        self.hh = nn.Linear(hidden_size, n_gates * hidden_size, bias=False)
        if cell == "gru":
            self.ln_gates = nn.LayerNorm(2 * hidden_size)
            self.ln_new = nn.LayerNorm(hidden_size)
        else:
            self.ln_gates = nn.LayerNorm(n_gates * hidden_size)
        if cell == "lstm":
            self.ln_cell = nn.LayerNorm(hidden_size)

    def forward(self, x_proj, state):
        """``x_proj = ih(x_t)`` (computed for all steps at once)."""
        h = state[0] if self.cell == "lstm" else state
        hh = self.hh(h)
        if self.cell == "rnn":
            return torch.tanh(self.ln_gates(x_proj + hh))
        if self.cell == "gru":
            H = self.hidden_size
            r, z = torch.sigmoid(self.ln_gates(x_proj[:, :2 * H] + hh[:, :2 * H])).chunk(2, 1)
            n = torch.tanh(self.ln_new(x_proj[:, 2 * H:] + r * hh[:, 2 * H:]))
            return (1 - z) * n + z * h
        i, f, g, o = self.ln_gates(x_proj + hh).chunk(4, 1)
        c = torch.sigmoid(f) * state[1] + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(self.ln_cell(c)), c


class LayerNormRNN(nn.Module):
    """Drop-in for ``nn.RNN``/``nn.GRU``/``nn.LSTM`` (``batch_first=True``) with
    layer-normalised cells; returns ``(output, h_n)`` like them (``h_n`` is the
    last hidden state per layer and direction)."""

    def __init__(self, cell, input_size, hidden_size, num_layers=1,
                 bidirectional=False, dropout=0.0):
        super().__init__()
        self.cell, self.num_layers = cell, num_layers
        self.n_dirs = 2 if bidirectional else 1
        self.dropout = nn.Dropout(dropout)
        self.cells = nn.ModuleList()
        for layer in range(num_layers):
            n_in = input_size if layer == 0 else hidden_size * self.n_dirs
            for _ in range(self.n_dirs):
                self.cells.append(_LayerNormCell(cell, n_in, hidden_size))
        self.hidden_size = hidden_size

    def _run(self, cell, X, reverse):
        batch, steps, _ = X.shape
        x_proj = cell.ih(X)
        h = X.new_zeros(batch, self.hidden_size)
        state = (h, h) if self.cell == "lstm" else h
        outputs = [None] * steps
        for t in (range(steps - 1, -1, -1) if reverse else range(steps)):
            state = cell(x_proj[:, t], state)
            outputs[t] = state[0] if self.cell == "lstm" else state
        return torch.stack(outputs, dim=1)

    def forward(self, X):
        last = []
        for layer in range(self.num_layers):
            if layer:
                X = self.dropout(X)
            outs = [self._run(self.cells[layer * self.n_dirs + d], X, reverse=d == 1)
                    for d in range(self.n_dirs)]
            last += [outs[0][:, -1]] + ([outs[1][:, 0]] if self.n_dirs == 2 else [])
            X = torch.cat(outs, dim=2) if self.n_dirs == 2 else outs[0]
        return X, torch.stack(last)


class RNNModule(nn.Module):
    """Recurrent network on ``(batch, steps, features)`` with a linear head.

    Sequence-to-one uses the last hidden state of the top layer (both
    directions when bidirectional); sequence-to-sequence
    (``return_sequences=True``) applies the head at every step.
    """

    CELLS = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}

    def __init__(self, n_features, n_outputs, cell="gru", hidden_size=64, n_layers=1,
                 bidirectional=False, dropout=0.0, layer_norm=False,
                 orthogonal_init=True, return_sequences=False):
        super().__init__()
        dropout = dropout if n_layers > 1 else 0.0
        if layer_norm:
            self.rnn = LayerNormRNN(cell, n_features, hidden_size, n_layers,
                                    bidirectional, dropout)
        else:
            self.rnn = self.CELLS[cell](n_features, hidden_size, num_layers=n_layers,
                                        batch_first=True, bidirectional=bidirectional,
                                        dropout=dropout)
        self.n_dirs = 2 if bidirectional else 1
        self.return_sequences = return_sequences
        self.head = nn.Linear(hidden_size * self.n_dirs, n_outputs)
        if orthogonal_init:
            self._orthogonal_init(hidden_size)

    def _orthogonal_init(self, hidden_size):
        """Orthogonal recurrent matrices (one per gate) keep the norm of the
        state through time; input weights Glorot, biases zero."""
        for name, param in self.rnn.named_parameters():
            if "bias" in name or param.ndim < 2:
                if "bias" in name:
                    nn.init.zeros_(param)
                continue
            if "hh" in name:
                for block in param.data.split(hidden_size, dim=0):
                    nn.init.orthogonal_(block)
            else:
                nn.init.xavier_uniform_(param)

    def forward(self, X, sample_weight=None):
        out, h_n = self.rnn(X)
        if self.return_sequences:
            return self.head(out)
        if isinstance(h_n, tuple):  # LSTM: (h_n, c_n)
            h_n = h_n[0]
        # h_n: (layers * directions, batch, hidden); keep the top layer
        top = h_n[-self.n_dirs:]
        return self.head(torch.cat(list(top), dim=1))
