"""A synthetic collider sample: a dilepton resonance over Drell-Yan and top-pair backgrounds."""

from __future__ import annotations

import numpy as np

__all__ = ["make_signal_background", "SIGNAL_BACKGROUND_FEATURES"]

#: Feature names of :func:`make_signal_background`, in column order, with units.
SIGNAL_BACKGROUND_FEATURES = {
    "lep1_pt": "transverse momentum of the leading lepton [GeV]",
    "lep1_eta": "pseudorapidity of the leading lepton",
    "lep2_pt": "transverse momentum of the sub-leading lepton [GeV]",
    "lep2_eta": "pseudorapidity of the sub-leading lepton",
    "delta_phi_ll": "azimuthal angle between the two leptons [rad], in [0, pi]",
    "m_ll": "invariant mass of the lepton pair [GeV]",
    "pt_ll": "transverse momentum of the lepton pair [GeV]",
    "met": "missing transverse energy [GeV]",
    "n_jets": "number of jets with pT > 30 GeV",
    "ht": "scalar sum of the jets' transverse momenta [GeV]",
}

_ETA_MAX = 2.5  # tracker acceptance
_PT_MIN = (25.0, 15.0)  # leading / sub-leading lepton trigger thresholds [GeV]


def _two_body_decay(rng, mass, pt, rapidity):
    """Lab-frame (pT, eta, phi) of two massless leptons from a particle of ``mass``.

    The parent has transverse momentum ``pt``, rapidity ``rapidity`` and a random
    azimuth; the decay is isotropic in its rest frame.
    """
    n = mass.size
    cos_t = rng.uniform(-1.0, 1.0, n)
    sin_t = np.sqrt(1.0 - cos_t**2)
    phi = rng.uniform(0.0, 2.0 * np.pi, n)
    e = mass / 2.0
    p_rest = np.stack([e * sin_t * np.cos(phi), e * sin_t * np.sin(phi), e * cos_t], axis=1)

    phi_parent = rng.uniform(0.0, 2.0 * np.pi, n)
    mt = np.sqrt(mass**2 + pt**2)
    parent = np.stack(
        [
            mt * np.cosh(rapidity),
            pt * np.cos(phi_parent),
            pt * np.sin(phi_parent),
            mt * np.sinh(rapidity),
        ],
        axis=1,
    )
    beta = parent[:, 1:] / parent[:, :1]
    leptons = []
    for sign in (1.0, -1.0):
        lep = _boost(np.concatenate([e[:, None], sign * p_rest], axis=1), beta)
        px, py, pz = lep[:, 1], lep[:, 2], lep[:, 3]
        lpt = np.hypot(px, py)
        leptons.append((lpt, np.arcsinh(pz / np.maximum(lpt, 1e-9)), np.arctan2(py, px)))
    return leptons


def _boost(p4, beta):
    """Lorentz boost of four-vectors ``p4`` (E, px, py, pz) by velocity ``beta``."""
    b2 = np.sum(beta**2, axis=1)
    gamma = 1.0 / np.sqrt(1.0 - b2)
    bp = np.sum(beta * p4[:, 1:], axis=1)
    gamma2 = np.where(b2 > 0, (gamma - 1.0) / np.where(b2 > 0, b2, 1.0), 0.0)
    energy = gamma * (p4[:, 0] + bp)
    momentum = p4[:, 1:] + (gamma2 * bp + gamma * p4[:, 0])[:, None] * beta
    return np.concatenate([energy[:, None], momentum], axis=1)


def _generate(rng, n, process, mass_peak):
    """``n`` events of one process, before the acceptance cuts."""
    if process == "signal":  # narrow resonance: Breit-Wigner, then 2% mass resolution
        mass = mass_peak + 2.0 * rng.standard_cauchy(n)
        mass = np.clip(mass, 0.5 * mass_peak, 2.0 * mass_peak)
        mass *= 1.0 + 0.02 * rng.standard_normal(n)
        pt = rng.gamma(2.0, 20.0, n)
        rapidity = rng.normal(0.0, 1.0, n)
        n_jets = rng.poisson(1.2, n)
        met_true = np.zeros(n)
    elif process == "drell_yan":  # falling continuum above 60 GeV
        mass = 60.0 + rng.exponential(35.0, n)
        pt = rng.gamma(1.5, 12.0, n)
        rapidity = rng.normal(0.0, 1.6, n)
        n_jets = rng.poisson(0.7, n)
        met_true = np.zeros(n)
    else:  # top pairs: two W -> l nu decays, b jets and real missing energy from neutrinos
        mass = 20.0 + rng.gamma(3.0, 35.0, n)
        pt = rng.gamma(2.0, 30.0, n)
        rapidity = rng.normal(0.0, 1.1, n)
        n_jets = 2 + rng.poisson(0.8, n)
        met_true = rng.gamma(3.0, 25.0, n)

    (pt1, eta1, phi1), (pt2, eta2, phi2) = _two_body_decay(rng, mass, pt, rapidity)
    swap = pt2 > pt1
    pt1, pt2 = np.where(swap, pt2, pt1), np.where(swap, pt1, pt2)
    eta1, eta2 = np.where(swap, eta2, eta1), np.where(swap, eta1, eta2)
    dphi = np.abs(np.angle(np.exp(1j * (phi1 - phi2))))
    # each jet: 30 GeV threshold plus a Gamma(2, 25 GeV) excess; a sum of gammas is a gamma
    excess = rng.gamma(np.maximum(2.0 * n_jets, 1e-3), 25.0) * (n_jets > 0)
    jet_pt = 30.0 * n_jets + excess
    # missing energy: neutrinos plus a resolution that grows with the hadronic activity
    resolution = 8.0 + 0.05 * jet_pt
    met = np.hypot(
        met_true + resolution * rng.standard_normal(n), resolution * rng.standard_normal(n)
    )
    m_ll = np.sqrt(2.0 * pt1 * pt2 * (np.cosh(eta1 - eta2) - np.cos(dphi)))
    pt_ll = np.hypot(pt1 * np.cos(phi1) + pt2 * np.cos(phi2), pt1 * np.sin(phi1) + pt2 * np.sin(phi2))
    X = np.column_stack([pt1, eta1, pt2, eta2, dphi, m_ll, pt_ll, met, n_jets, jet_pt])
    accepted = (
        (np.abs(eta1) < _ETA_MAX)
        & (np.abs(eta2) < _ETA_MAX)
        & (pt1 > _PT_MIN[0])
        & (pt2 > _PT_MIN[1])
    )
    return X[accepted]


def _sample(rng, n, process, mass_peak):
    parts, have = [np.empty((0, len(SIGNAL_BACKGROUND_FEATURES)))], 0
    while have < n:
        batch = _generate(rng, max(2 * (n - have), 64), process, mass_peak)
        parts.append(batch)
        have += len(batch)
    return np.concatenate(parts)[:n]


def make_signal_background(
    n_samples=10_000,
    *,
    signal_fraction=0.5,
    mass=125.0,
    ttbar_fraction=0.3,
    random_state=None,
    as_frame=False,
):
    """Generate a collider-style signal/background sample (no download).

    Each event has two charged leptons (electrons or muons) inside the tracker
    (``|eta| < 2.5``) above trigger thresholds (25 and 15 GeV). The *signal*
    (``y = 1``) is a narrow resonance of mass ``mass`` decaying to the lepton
    pair: its dilepton invariant mass ``m_ll`` peaks at ``mass`` (Breit-Wigner
    shape with 2% detector resolution). The *background* (``y = 0``) mixes
    Drell-Yan production, whose ``m_ll`` is a continuum falling from 60 GeV,
    and top-pair production, with two b jets and genuine missing energy from the
    neutrinos. The leptons come from an isotropic two-body decay boosted to the
    laboratory frame, so ``m_ll``, the lepton momenta and angles are
    kinematically consistent.

    ========================  ==========================================================
    feature                   meaning
    ========================  ==========================================================
    ``lep1_pt``               transverse momentum of the leading lepton [GeV]
    ``lep1_eta``              pseudorapidity of the leading lepton
    ``lep2_pt``               transverse momentum of the sub-leading lepton [GeV]
    ``lep2_eta``              pseudorapidity of the sub-leading lepton
    ``delta_phi_ll``          azimuthal angle between the leptons [rad], in [0, pi]
    ``m_ll``                  invariant mass of the lepton pair [GeV]
    ``pt_ll``                 transverse momentum of the lepton pair [GeV]
    ``met``                   missing transverse energy [GeV]
    ``n_jets``                number of jets with pT > 30 GeV
    ``ht``                    scalar sum of the jets' transverse momenta [GeV]
    ========================  ==========================================================

    Parameters
    ----------
    n_samples : int, default=10_000
        Number of events.
    signal_fraction : float, default=0.5
        Fraction of signal events, in (0, 1).
    mass : float, default=125.0
        Mass of the resonance in GeV (at least 30).
    ttbar_fraction : float, default=0.3
        Fraction of top-pair events in the background, in [0, 1].
    random_state : int, RandomState instance or None, default=None
        Seed of the generator, for reproducible samples.
    as_frame : bool, default=False
        Return a :class:`pandas.DataFrame` and a :class:`pandas.Series` named
        ``"signal"`` instead of arrays.

    Returns
    -------
    X : ndarray of shape (n_samples, 10) or DataFrame
        The kinematic features above, in that order (float64).
    y : ndarray of shape (n_samples,) or Series
        1 for signal, 0 for background (int64). Events are shuffled.

    Examples
    --------
    >>> from sklml.datasets import make_signal_background
    >>> X, y = make_signal_background(1000, random_state=0)
    >>> X.shape, int(y.sum())
    ((1000, 10), 500)
    >>> df, y = make_signal_background(200, random_state=0, as_frame=True)
    >>> list(df.columns[:3])
    ['lep1_pt', 'lep1_eta', 'lep2_pt']
    """
    from sklearn.utils import check_random_state

    if not isinstance(n_samples, (int, np.integer)) or isinstance(n_samples, bool) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}")
    if not 0.0 < signal_fraction < 1.0:
        raise ValueError(f"signal_fraction must be in (0, 1), got {signal_fraction!r}")
    if not 0.0 <= ttbar_fraction <= 1.0:
        raise ValueError(f"ttbar_fraction must be in [0, 1], got {ttbar_fraction!r}")
    if not mass >= 30.0:
        raise ValueError(f"mass must be at least 30 GeV, got {mass!r}")
    rng = check_random_state(random_state)

    n_signal = int(round(n_samples * signal_fraction))
    n_background = n_samples - n_signal
    n_ttbar = int(round(n_background * ttbar_fraction))
    X = np.concatenate(
        [
            _sample(rng, n_signal, "signal", mass),
            _sample(rng, n_background - n_ttbar, "drell_yan", mass),
            _sample(rng, n_ttbar, "ttbar", mass),
        ]
    )
    y = np.concatenate([np.ones(n_signal, np.int64), np.zeros(n_background, np.int64)])
    order = rng.permutation(n_samples)
    X, y = X[order], y[order]
    if as_frame:
        import pandas as pd

        frame = pd.DataFrame(X, columns=list(SIGNAL_BACKGROUND_FEATURES))
        frame["n_jets"] = frame["n_jets"].astype(np.int64)
        return frame, pd.Series(y, name="signal")
    return X, y
