"""Measures of model output: how good generated samples are.

``sklml.metrics`` imports no torch: it judges the samples of any generative
model (sklml's :class:`~sklml.neural.VariationalAutoencoder` and
:class:`~sklml.neural.GAN`, or a user's own) as arrays.
"""

from ._sample_quality import (
    SampleQuality,
    SampleScores,
    class_coverage,
    frechet_distance,
    memorisation_ratio,
    mlp_hidden_features,
    pca_gaussian_samples,
    pixel_noise_samples,
)

__all__ = [
    "SampleQuality",
    "SampleScores",
    "class_coverage",
    "frechet_distance",
    "memorisation_ratio",
    "mlp_hidden_features",
    "pca_gaussian_samples",
    "pixel_noise_samples",
]
