"""Neural estimators on skorch/PyTorch: MLP, CNN, RNN, autoencoders, VAE, GAN.

Every model is built inside ``fit`` from the data it sees and behaves like any
scikit-learn estimator (pipelines, grid searches, cloning, pickling).
"""

__all__ = []

# --- supervised: MLP, CNN, RNN ---
from ._cnn import CNNClassifier  # noqa: E402
from ._mlp import MLPClassifier, MLPRegressor  # noqa: E402
from ._rnn import RNNClassifier, RNNRegressor  # noqa: E402

__all__ += ["MLPClassifier", "MLPRegressor", "CNNClassifier", "RNNClassifier", "RNNRegressor"]

# --- generative: Autoencoder, VariationalAutoencoder, GAN ---
from ._autoencoder import Autoencoder  # noqa: E402
from ._gan import GAN  # noqa: E402
from ._vae import VariationalAutoencoder  # noqa: E402

__all__ += ["Autoencoder", "VariationalAutoencoder", "GAN"]
