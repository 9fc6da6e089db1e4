"""Order of the gallery: the lectures' order, by the family prefix of each example's name."""

ORDER = [
    "signal_background", "compare", "root", "linear_model", "tree", "ensemble", "boosting",
    "neural_mlp", "neural_cnn", "neural_autoencoder", "neural_ae", "neural_vae", "neural_gan",
    "neural_rnn", "neural", "rl",
]


class LectureOrder:
    """Sort key for sphinx-gallery's ``within_subsection_order``."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        stem = filename[len("plot_"):] if filename.startswith("plot_") else filename
        for rank, prefix in enumerate(ORDER):
            if stem.startswith(prefix):
                return rank, filename
        return len(ORDER), filename

    def __repr__(self):
        return f"<{type(self).__name__}>"
