"""Neural estimators on skorch/PyTorch: MLP, CNN, RNN, autoencoders, VAE, GAN.

Every model is built inside ``fit`` from the data it sees and behaves like any
scikit-learn estimator (pipelines, grid searches, cloning, pickling).
"""

__all__ = []

# --- supervised: MLP, CNN, RNN ---

# --- generative: Autoencoder, VariationalAutoencoder, GAN ---
