"""Deep agents in plain torch: deep Q-learning (DQN) and REINFORCE."""

import copy
from numbers import Integral, Real

import numpy as np
from gymnasium import spaces
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions

from .._training import TRAINING_CONSTRAINTS, ProgressReporter, resolve_device
from ._base import BaseAgent, check_discrete_actions, make_env, make_rng, reset_seed, rollout
from ._history import _HistoryRecorder
from ._mdp import MDP, MDPEnv

__all__ = ["DQN", "REINFORCE"]


def _device(device, estimator_name):
    """sklml's device policy (:func:`sklml._training.resolve_device`); a
    ``torch.device`` is accepted too."""
    import torch

    if isinstance(device, torch.device):
        device = str(device)
    return torch.device(resolve_device(device, estimator_name))


def _mlp(n_in, hidden, n_out, seed):
    """The neural family's MLP builder (ReLU, torch's default initialisation),
    seeded through a local generator: the global torch RNG is left alone."""
    from sklml.neural._modules import MLPModule
    from sklml.neural._torch_utils import local_torch_rng

    with local_torch_rng(seed):
        return MLPModule(n_in, n_out, tuple(int(h) for h in hidden), activation="relu",
                         init="default")


def _numpy_layers(net):
    """CPU numpy copies of an MLP's weights: a forward pass in numpy is several times
    cheaper than torch's per-call overhead for one observation at a time."""
    from torch import nn

    return [
        (m.weight.detach().cpu().numpy().T.copy(), m.bias.detach().cpu().numpy().copy())
        for m in net.modules() if isinstance(m, nn.Linear)
    ]


def _numpy_forward(layers, x):
    for W, b in layers[:-1]:
        x = x @ W
        x += b
        np.maximum(x, 0.0, out=x)
    W, b = layers[-1]
    return x @ W + b


def _adam(params, lr):
    # the multi-tensor implementation: the same algorithm in a few vectorised calls
    # instead of several small ones per parameter, which dominate for tiny networks
    import torch

    return torch.optim.Adam(params, lr=lr, foreach=True)


def _hidden_ok(value):
    try:
        sizes = [int(h) for h in value]
    except TypeError:
        return False
    return all(h >= 1 and h == hh for h, hh in zip(sizes, value))


def _fresh_env(env_or_mdp, env):
    """A second instance of the training environment, for the evaluations."""
    if isinstance(env_or_mdp, (MDP, str)):
        return make_env(env_or_mdp, check=False)
    if isinstance(env.unwrapped, MDPEnv):
        return env.unwrapped.mdp.as_env(max_episode_steps=env.unwrapped.max_episode_steps)
    if env.spec is not None:
        import gymnasium as gym

        try:
            return gym.make(env.spec)
        except Exception:  # a spec that cannot be remade (custom entry point): copy
            pass
    return copy.deepcopy(env)


class _PeriodicEvaluation:
    """stable-baselines3's ``EvalCallback`` inside ``fit``: every ``eval_freq``
    the greedy policy plays ``n_episodes`` episodes of its own environment
    (always from the same seed, so the evaluations compare policies on the same
    starts); the weights of the best one are kept."""

    def __init__(self, env, n_episodes, seed, encode, recorder, keep_best):
        self.env, self.n_episodes, self.seed = env, n_episodes, seed
        self.encode, self.recorder, self.keep_best = encode, recorder, keep_best
        self.best_mean, self.best_step, self.best_state = -np.inf, None, None
        self.last_step = None

    def __call__(self, net, step):
        layers = _numpy_layers(net)
        encode = self.encode
        returns, _ = rollout(self.env, lambda obs: int(np.argmax(_numpy_forward(layers, encode(obs)))),
                             self.n_episodes, seed=self.seed)
        mean = float(returns.mean())
        self.recorder.add_evaluation(step, mean, returns.std())
        self.last_step = step
        if mean >= self.best_mean:  # a tie goes to the later, longer-trained policy
            self.best_mean, self.best_step = mean, step
            if self.keep_best:
                self.best_state = copy.deepcopy(net.state_dict())
        return mean

    def finish(self, net, step):
        """Evaluate the final policy too, then load the best weights into ``net``."""
        if self.last_step != step:
            self(net, step)
        if self.keep_best and self.best_state is not None:
            net.load_state_dict(self.best_state)
        return self.best_mean, self.best_step


class _DeepAgent(BaseAgent):
    """Observation encoding, devices, periodic evaluation and CPU pickling for torch agents."""

    def _setup(self, env_or_mdp):
        env = make_env(env_or_mdp)
        name = type(self).__name__
        n_actions = check_discrete_actions(env, name)
        space = env.observation_space
        if isinstance(space, spaces.Discrete):
            n_in = int(space.n)
        elif isinstance(space, spaces.Box):
            n_in = int(np.prod(space.shape))
        else:
            raise ValueError(f"{name} needs a Box or Discrete observation space; got {space}")
        if not _hidden_ok(self.hidden_layer_sizes):
            raise ValueError(
                f"hidden_layer_sizes must be a sequence of positive ints; got {self.hidden_layer_sizes!r}"
            )
        device = _device(self.device, name)
        self.observation_space_ = space
        self.n_actions_ = n_actions
        self.n_features_in_ = n_in
        rng, seed = make_rng(self.random_state)
        self._rng = rng
        torch_seed = int(rng.integers(2**31 - 1))
        eval_seed = int(rng.integers(2**31 - 1))  # drawn always: evaluating never changes the training
        return env, rng, seed, torch_seed, eval_seed, device

    def _periodic_evaluation(self, env_or_mdp, env, eval_seed, recorder):
        if self.eval_freq is None:
            return None
        if self.eval_env is None:
            eval_env = _fresh_env(env_or_mdp, env)
        else:
            eval_env = make_env(self.eval_env, check=False)
            if (eval_env.observation_space != env.observation_space
                    or eval_env.action_space != env.action_space):
                raise ValueError(
                    f"eval_env must have the training environment's spaces ({env.observation_space}, "
                    f"{env.action_space}); got {eval_env.observation_space}, {eval_env.action_space}"
                )
        return _PeriodicEvaluation(eval_env, self.n_eval_episodes, eval_seed, self._encode_one,
                                   recorder, self.restore_best)

    def _set_fitted(self, net_name, net, recorder, n_steps, n_iter, n_updates, evaluation, t_end,
                    loss_curve):
        if evaluation is not None:
            self.best_eval_return_, self.best_eval_step_ = evaluation.finish(net, t_end)
        else:
            self.best_eval_return_, self.best_eval_step_ = None, None
        setattr(self, net_name, net.eval())
        self.history_ = recorder.history()
        self.n_steps_ = n_steps
        self.n_episodes_ = self.history_.n_episodes
        self.n_updates_ = n_updates
        # the training contract's history (sklml._training): the loss of each update round,
        # and the periodic evaluations as the validation scores (higher is better)
        self.n_iter_ = n_iter
        self.loss_curve_ = [float(v) for v in loss_curve]
        self.loss_ = self.loss_curve_[-1] if self.loss_curve_ else None
        if evaluation is None:
            self.validation_scores_ = self.best_validation_score_ = None
        else:
            self.validation_scores_ = self.history_.eval_mean_returns.tolist()
            self.best_validation_score_ = self.best_eval_return_

    def _episode_policy(self, deterministic):
        if not deterministic:
            return super()._episode_policy(deterministic)
        # the greedy action through the numpy copy of the network: same argmax, a
        # fraction of torch's per-call cost for one observation
        layers = _numpy_layers(getattr(self, self._net_attribute))
        encode = self._encode_one
        return lambda obs: int(np.argmax(_numpy_forward(layers, encode(obs))))

    def _encode(self, obs):
        """Checked observations (batch) -> float32 array (n, n_features_in_)."""
        if isinstance(self.observation_space_, spaces.Discrete):
            out = np.zeros((len(obs), self.n_features_in_), dtype=np.float32)
            out[np.arange(len(obs)), obs] = 1.0
            return out
        return np.asarray(obs, dtype=np.float32).reshape(len(obs), -1)

    def _encode_one(self, obs):
        if isinstance(self.observation_space_, spaces.Discrete):
            out = np.zeros(self.n_features_in_, dtype=np.float32)
            out[int(obs) - int(self.observation_space_.start)] = 1.0
            return out
        return np.asarray(obs, dtype=np.float32).reshape(-1)

    def _net_output(self, net, x):
        import torch

        device = next(net.parameters()).device
        with torch.inference_mode():
            return net(torch.from_numpy(x).to(device)).cpu().numpy()

    def __getstate__(self):
        from torch import nn

        state = super().__getstate__()
        for key, value in state.items():
            if isinstance(value, nn.Module) and any(p.device.type != "cpu" for p in value.parameters()):
                state[key] = copy.deepcopy(value).cpu()
        return state


_COMMON = {
    "hidden_layer_sizes": ["array-like"],
    "learning_rate": [Interval(Real, 0, None, closed="neither")],
    "gamma": [Interval(Real, 0, 1, closed="both")],
    "eval_env": "no_validation",  # an env, an MDP or an id: checked by make_env
    "eval_freq": [Interval(Integral, 1, None, closed="left"), None],
    "n_eval_episodes": [Interval(Integral, 1, None, closed="left")],
    "restore_best": ["boolean"],
    "random_state": TRAINING_CONSTRAINTS["random_state"],
    "device": "no_validation",  # a str or a torch.device: checked by _device
    "verbose": TRAINING_CONSTRAINTS["verbose"],
}


def _training_length(agent, name="n_steps"):
    """``total_timesteps`` (stable-baselines3's name) wins over ``n_steps`` when set."""
    return getattr(agent, name) if agent.total_timesteps is None else agent.total_timesteps


class DQN(_DeepAgent):
    """Deep Q-learning (Mnih et al. 2015) with a replay buffer and a target network.

    An MLP approximates ``Q(s, .)``. The agent acts epsilon-greedily
    (epsilon decays linearly from ``exploration_initial_eps`` to
    ``exploration_final_eps`` over the first ``exploration_fraction`` of the
    steps), stores transitions in a replay buffer and, every ``train_freq``
    steps, takes ``gradient_steps`` Adam steps on the Huber loss between
    ``Q(s, a)`` and ``r + gamma max_a' Q_target(s', a')`` (double DQN:
    ``Q_target(s', argmax_a' Q(s', a'))``). The target network copies the
    online one every ``target_update_interval`` steps. Episodes cut by a time
    limit are bootstrapped, not treated as terminal.

    Every ``eval_freq`` steps the greedy policy plays ``n_eval_episodes``
    episodes of a separate evaluation environment, and ``fit`` ends with the
    weights of the best evaluation (stable-baselines3's ``EvalCallback``):
    DQN's greedy policy can get worse late in training, and the evaluations
    keep the good one. The other defaults are the rl-baselines3-zoo settings
    for CartPole; with all defaults ``DQN()`` solves CartPole-v1 (mean return
    >= 195 over 20 evaluation episodes) for every ``random_state`` in 0-9
    (see the user guide for the measured returns and times).

    Parameters
    ----------
    hidden_layer_sizes : sequence of int, default=(256, 256)
    learning_rate : float, default=2.3e-3
        Adam's step size.
    gamma : float in [0, 1], default=0.99
    n_steps : int, default=50_000
        Environment steps of training.
    total_timesteps : int or None, default=None
        stable-baselines3's name of ``n_steps``; when set it is used instead.
    buffer_size : int, default=100_000
    batch_size : int, default=64
    learning_starts : int, default=1000
        Steps of random actions before learning starts.
    train_freq : int, default=256
    gradient_steps : int, default=128
    target_update_interval : int, default=10
    exploration_fraction : float in [0, 1], default=0.16
    exploration_initial_eps : float in [0, 1], default=1.0
    exploration_final_eps : float in [0, 1], default=0.04
        Also the rate of ``act(..., deterministic=False)``.
    double_dqn : bool, default=False
    max_grad_norm : float, default=10
    eval_env : gymnasium.Env, MDP, str or None, default=None
        Environment of the periodic evaluations; ``None``: a fresh instance of
        the training environment.
    eval_freq : int or None, default=2500
        Evaluate the greedy policy every ``eval_freq`` steps (and at the end
        of ``fit``); ``None``: never.
    n_eval_episodes : int, default=10
        Episodes per evaluation, always started from the same seed (drawn from
        ``random_state``), so the evaluations compare policies on equal terms.
    restore_best : bool, default=True
        End ``fit`` with the weights of the best evaluation (a tie goes to
        the later one); ``False`` keeps the last weights.
    random_state : int, RandomState instance or None, default=None
        Seeds the network initialisation, exploration, replay sampling, the
        environment's first reset and the evaluations' seed.
    device : {"auto", "cpu", "cuda"} or torch.device, default="auto"
        ``"auto"`` picks CUDA when present; ``"cuda"`` on a machine without
        CUDA warns and runs on the CPU (sklml's device policy).
    verbose : int, default=0
        The training contract's reporter: 0 quiet, 1 one tqdm progress bar
        (in steps), 2 a line per training round (every ``train_freq`` steps
        once learning has started: ``Step 1280, loss = ..., mean_return = ...``).

    Attributes
    ----------
    q_net_ : torch.nn.Module
        The online Q-network (the best evaluated one with ``restore_best``).
    history_ : AgentHistory
        Return, length and end step of each training episode, and the
        periodic evaluations.
    n_iter_ : int
        Environment steps of training (the unit of ``n_steps``).
    loss_curve_ : list of float
        Mean Huber TD loss of each training round (``gradient_steps``
        gradient steps every ``train_freq`` environment steps).
    loss_ : float or None
        The last entry of ``loss_curve_`` (None before any training round).
    validation_scores_ : list of float or None
        Mean return of each periodic evaluation (``history_.eval_mean_returns``);
        None when ``eval_freq=None``.
    best_validation_score_ : float or None
        ``best_eval_return_``, under the training contract's name.
    n_steps_ : int
        Environment steps of training.
    n_episodes_ : int
        Finished training episodes.
    n_updates_ : int
        Gradient steps taken.
    best_eval_return_ : float or None
        Mean return of the best evaluation (None when ``eval_freq=None``).
    best_eval_step_ : int or None
        Training step of that evaluation.

    Examples
    --------
    >>> from sklml.rl import DQN
    >>> agent = DQN(hidden_layer_sizes=(16,), n_steps=300, learning_starts=100,
    ...             train_freq=50, gradient_steps=5, random_state=0).fit("CartPole-v1")
    >>> agent.act([0.0, 0.0, 0.0, 0.0]) in (0, 1)
    True
    >>> int(agent.history_.episode_lengths.sum()) <= agent.n_steps_ == 300
    True
    """

    _net_attribute = "q_net_"
    _parameter_constraints = {
        **_COMMON,
        "n_steps": [Interval(Integral, 1, None, closed="left")],
        "total_timesteps": [Interval(Integral, 1, None, closed="left"), None],
        "buffer_size": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "learning_starts": [Interval(Integral, 0, None, closed="left")],
        "train_freq": [Interval(Integral, 1, None, closed="left")],
        "gradient_steps": [Interval(Integral, 1, None, closed="left")],
        "target_update_interval": [Interval(Integral, 1, None, closed="left")],
        "exploration_fraction": [Interval(Real, 0, 1, closed="both")],
        "exploration_initial_eps": [Interval(Real, 0, 1, closed="both")],
        "exploration_final_eps": [Interval(Real, 0, 1, closed="both")],
        "double_dqn": ["boolean"],
        "max_grad_norm": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, hidden_layer_sizes=(256, 256), learning_rate=2.3e-3, gamma=0.99,
                 n_steps=50_000, total_timesteps=None, buffer_size=100_000, batch_size=64,
                 learning_starts=1000, train_freq=256, gradient_steps=128, target_update_interval=10,
                 exploration_fraction=0.16, exploration_initial_eps=1.0,
                 exploration_final_eps=0.04, double_dqn=False, max_grad_norm=10.0,
                 eval_env=None, eval_freq=2500, n_eval_episodes=10, restore_best=True,
                 random_state=None, device="auto", verbose=0):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.learning_rate = learning_rate
        self.gamma = gamma
        self.n_steps = n_steps
        self.total_timesteps = total_timesteps
        self.buffer_size = buffer_size
        self.batch_size = batch_size
        self.learning_starts = learning_starts
        self.train_freq = train_freq
        self.gradient_steps = gradient_steps
        self.target_update_interval = target_update_interval
        self.exploration_fraction = exploration_fraction
        self.exploration_initial_eps = exploration_initial_eps
        self.exploration_final_eps = exploration_final_eps
        self.double_dqn = double_dqn
        self.max_grad_norm = max_grad_norm
        self.eval_env = eval_env
        self.eval_freq = eval_freq
        self.n_eval_episodes = n_eval_episodes
        self.restore_best = restore_best
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    @classmethod
    def get_test_params(cls):
        return dict(hidden_layer_sizes=(16,), n_steps=300, learning_starts=100, train_freq=50,
                    gradient_steps=5, buffer_size=1000, eval_freq=None, random_state=0, device="cpu")

    def _epsilon(self, t, n_steps):
        span = self.exploration_fraction * n_steps
        frac = 1.0 if span <= 0 else min(1.0, t / span)
        return self.exploration_initial_eps + frac * (self.exploration_final_eps - self.exploration_initial_eps)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, env_or_mdp):
        """Train for ``n_steps`` (or ``total_timesteps``) environment steps.

        Parameters
        ----------
        env_or_mdp : gymnasium.Env, MDP or str
            An environment with a discrete action space (checked with
            ``gymnasium.utils.env_checker.check_env``), an :class:`MDP`, or a
            registered environment id.

        Returns
        -------
        self
        """
        import torch
        import torch.nn.functional as F

        env, rng, seed, torch_seed, eval_seed, device = self._setup(env_or_mdp)
        n_steps = _training_length(self)
        recorder = _HistoryRecorder()
        evaluation = self._periodic_evaluation(env_or_mdp, env, eval_seed, recorder)
        n_in, n_actions = self.n_features_in_, self.n_actions_
        q_net = _mlp(n_in, self.hidden_layer_sizes, n_actions, torch_seed).to(device)
        target_net = copy.deepcopy(q_net).requires_grad_(False)
        optimizer = _adam(q_net.parameters(), self.learning_rate)

        size = min(self.buffer_size, n_steps)
        buf_obs = np.zeros((size, n_in), dtype=np.float32)
        buf_next = np.zeros((size, n_in), dtype=np.float32)
        buf_act = np.zeros(size, dtype=np.int64)
        buf_rew = np.zeros(size, dtype=np.float32)
        buf_done = np.zeros(size, dtype=np.float32)
        pos, full = 0, False

        gamma, double = float(self.gamma), bool(self.double_dqn)

        def train_step():
            idx = rng.integers(0, size if full else pos, self.batch_size)
            o = torch.from_numpy(buf_obs[idx]).to(device)
            o2 = torch.from_numpy(buf_next[idx]).to(device)
            a = torch.from_numpy(buf_act[idx]).to(device)
            r = torch.from_numpy(buf_rew[idx]).to(device)
            d = torch.from_numpy(buf_done[idx]).to(device)
            with torch.no_grad():
                q_next = target_net(o2)
                if double:
                    next_v = q_next.gather(1, q_net(o2).argmax(1, keepdim=True)).squeeze(1)
                else:
                    next_v = q_next.max(1).values
                y = r + gamma * (1.0 - d) * next_v
            q_sa = q_net(o).gather(1, a.unsqueeze(1)).squeeze(1)
            loss = F.smooth_l1_loss(q_sa, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(q_net.parameters(), self.max_grad_norm)
            optimizer.step()
            return loss.detach()

        n_updates, ret, length = 0, 0.0, 0
        loss_curve, reported = [], 0
        layers = _numpy_layers(q_net)
        obs, _ = env.reset(seed=reset_seed(seed, rng))
        x = self._encode_one(obs)
        with ProgressReporter(self.verbose, total=n_steps, desc="DQN", unit="step",
                              label="Step") as progress:
            for t in range(n_steps):
                if t < self.learning_starts or rng.random() < self._epsilon(t, n_steps):
                    action = int(rng.integers(n_actions))
                else:
                    if layers is None:  # weights changed since the last greedy action
                        layers = _numpy_layers(q_net)
                    action = int(np.argmax(_numpy_forward(layers, x)))
                obs, reward, terminated, truncated, _ = env.step(action)
                x2 = self._encode_one(obs)
                buf_obs[pos], buf_next[pos], buf_act[pos] = x, x2, action
                buf_rew[pos], buf_done[pos] = reward, float(terminated)
                pos += 1
                if pos == size:
                    pos, full = 0, True
                ret += float(reward)
                length += 1
                if terminated or truncated:
                    recorder.end_episode(ret, length, t + 1)
                    ret, length = 0.0, 0
                    obs, _ = env.reset()
                    x = self._encode_one(obs)
                else:
                    x = x2
                if t + 1 > self.learning_starts and (t + 1) % self.train_freq == 0:
                    q_net.train()
                    round_loss = sum(train_step() for _ in range(self.gradient_steps))
                    loss_curve.append(float(round_loss) / self.gradient_steps)
                    n_updates += self.gradient_steps
                    layers = None
                    if self.verbose:
                        done = recorder.episode_returns
                        progress.update(t + 1 - reported, loss=loss_curve[-1],
                                        mean_return=np.mean(done[-10:]) if done else None)
                        reported = t + 1
                if (t + 1) % self.target_update_interval == 0:
                    target_net.load_state_dict(q_net.state_dict())
                if evaluation is not None and (t + 1) % self.eval_freq == 0:
                    evaluation(q_net, t + 1)
            if self.verbose and reported < n_steps:  # the steps after the last round
                done = recorder.episode_returns
                progress.update(n_steps - reported,
                                mean_return=np.mean(done[-10:]) if done else None)
        self._set_fitted("q_net_", q_net, recorder, n_steps, n_steps, n_updates, evaluation, n_steps,
                         loss_curve)
        return self

    def predict_q(self, observation):
        """Q-values of one observation, shape (n_actions,), or of a batch."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        obs, batched = self._check_observation(observation)
        q = self._net_output(self.q_net_, self._encode(obs))
        return q if batched else q[0]

    def _act_batch(self, obs, deterministic):
        actions = self._net_output(self.q_net_, self._encode(obs)).argmax(axis=1).astype(np.int64)
        if not deterministic:
            explore = self._rng.random(len(actions)) < self.exploration_final_eps
            actions[explore] = self._rng.integers(self.n_actions_, size=int(explore.sum()))
        return actions

class REINFORCE(_DeepAgent):
    """REINFORCE policy gradient (Williams 1992) with a softmax MLP policy.

    The policy plays ``episodes_per_update`` episodes, sampling its actions;
    each step's discounted return ``G_t = sum_k gamma^k r_{t+k}`` is turned
    into an advantage (``baseline``), and one Adam step follows the gradient
    of ``mean_t(advantage_t * log pi(a_t | s_t))``, as in the lectures'
    four-step recipe.

    Every ``eval_freq`` training episodes the greedy policy plays
    ``n_eval_episodes`` episodes of a separate evaluation environment, and
    ``fit`` ends with the weights of the best evaluation (stable-baselines3's
    ``EvalCallback``). With all defaults ``REINFORCE()`` solves CartPole-v1
    (mean return >= 195 over 20 evaluation episodes) for every
    ``random_state`` in 0-9 (see the user guide for the measured returns).

    Parameters
    ----------
    hidden_layer_sizes : sequence of int, default=(32,)
    learning_rate : float, default=0.01
        Adam's step size.
    gamma : float in [0, 1], default=0.99
    n_episodes : int, default=1000
        Training episodes in total.
    total_timesteps : int or None, default=None
        stable-baselines3's training length: when set, train until this many
        environment steps are done (at the end of an update) instead of
        ``n_episodes`` episodes.
    episodes_per_update : int, default=10
    baseline : {"normalize", "mean"} or None, default="normalize"
        ``"normalize"``: standardise the returns of the batch (Hands-On ML);
        ``"mean"``: subtract their mean; ``None``: raw returns.
    max_grad_norm : float or None, default=None
    eval_env : gymnasium.Env, MDP, str or None, default=None
        Environment of the periodic evaluations; ``None``: a fresh instance of
        the training environment.
    eval_freq : int or None, default=50
        Evaluate the greedy policy every ``eval_freq`` training episodes
        (checked after each update, and at the end of ``fit``); ``None``:
        never.
    n_eval_episodes : int, default=10
        Episodes per evaluation, always started from the same seed (drawn from
        ``random_state``).
    restore_best : bool, default=True
        End ``fit`` with the weights of the best evaluation (a tie goes to
        the later one); ``False`` keeps the last weights.
    random_state : int, RandomState instance or None, default=None
    device : {"auto", "cpu", "cuda"} or torch.device, default="auto"
        ``"auto"`` picks CUDA when present; ``"cuda"`` on a machine without
        CUDA warns and runs on the CPU (sklml's device policy).
    verbose : int, default=0
        The training contract's reporter: 0 quiet, 1 one tqdm progress bar
        (in episodes, or steps with ``total_timesteps``), 2 a line per update
        (``Episode 10, loss = ..., mean_return = ...``).

    Attributes
    ----------
    policy_net_ : torch.nn.Module
        Maps an observation to action logits (the best evaluated one with
        ``restore_best``).
    history_ : AgentHistory
        Return, length and end step of each training episode, and the
        periodic evaluations.
    n_iter_ : int
        Training episodes (the unit of ``n_episodes``).
    loss_curve_ : list of float
        Policy-gradient loss ``-mean_t(advantage_t * log pi(a_t | s_t))`` of
        each update.
    loss_ : float or None
        The last entry of ``loss_curve_``.
    validation_scores_ : list of float or None
        Mean return of each periodic evaluation (``history_.eval_mean_returns``);
        None when ``eval_freq=None``.
    best_validation_score_ : float or None
        ``best_eval_return_``, under the training contract's name.
    n_steps_ : int
        Environment steps of training.
    n_episodes_ : int
        Training episodes.
    n_updates_ : int
        Gradient steps taken.
    best_eval_return_ : float or None
        Mean return of the best evaluation (None when ``eval_freq=None``).
    best_eval_step_ : int or None
        Training step of that evaluation.

    Examples
    --------
    >>> from sklml.rl import REINFORCE
    >>> agent = REINFORCE(n_episodes=4, episodes_per_update=2, random_state=0).fit("CartPole-v1")
    >>> agent.history_.n_episodes, agent.act([[0.0, 0.0, 0.0, 0.0]] * 3).shape
    (4, (3,))
    """

    _net_attribute = "policy_net_"
    _parameter_constraints = {
        **_COMMON,
        "n_episodes": [Interval(Integral, 1, None, closed="left")],
        "total_timesteps": [Interval(Integral, 1, None, closed="left"), None],
        "episodes_per_update": [Interval(Integral, 1, None, closed="left")],
        "baseline": [StrOptions({"normalize", "mean"}), None],
        "max_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
    }

    def __init__(self, hidden_layer_sizes=(32,), learning_rate=0.01, gamma=0.99, n_episodes=1000,
                 total_timesteps=None, episodes_per_update=10, baseline="normalize",
                 max_grad_norm=None, eval_env=None, eval_freq=50, n_eval_episodes=10,
                 restore_best=True, random_state=None, device="auto", verbose=0):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.learning_rate = learning_rate
        self.gamma = gamma
        self.n_episodes = n_episodes
        self.total_timesteps = total_timesteps
        self.episodes_per_update = episodes_per_update
        self.baseline = baseline
        self.max_grad_norm = max_grad_norm
        self.eval_env = eval_env
        self.eval_freq = eval_freq
        self.n_eval_episodes = n_eval_episodes
        self.restore_best = restore_best
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    @classmethod
    def get_test_params(cls):
        return dict(hidden_layer_sizes=(8,), n_episodes=4, episodes_per_update=2, eval_freq=None,
                    random_state=0, device="cpu")

    def _returns(self, rewards):
        out = np.empty(len(rewards), dtype=np.float64)
        running = 0.0
        for i in range(len(rewards) - 1, -1, -1):
            running = rewards[i] + self.gamma * running
            out[i] = running
        return out

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, env_or_mdp):
        """Train for ``n_episodes`` episodes (or ``total_timesteps`` steps).

        Parameters
        ----------
        env_or_mdp : gymnasium.Env, MDP or str
            An environment with a discrete action space (checked with
            ``gymnasium.utils.env_checker.check_env``), an :class:`MDP`, or a
            registered environment id. Episodes must end (termination or a
            time limit).

        Returns
        -------
        self
        """
        import torch

        env, rng, seed, torch_seed, eval_seed, device = self._setup(env_or_mdp)
        recorder = _HistoryRecorder()
        evaluation = self._periodic_evaluation(env_or_mdp, env, eval_seed, recorder)
        net = _mlp(self.n_features_in_, self.hidden_layer_sizes, self.n_actions_, torch_seed).to(device)
        optimizer = _adam(net.parameters(), self.learning_rate)
        by_steps = self.total_timesteps is not None
        n_updates, done_episodes, steps = 0, 0, 0
        reset = reset_seed(seed, rng)
        layers = _numpy_layers(net)
        total = self.total_timesteps if by_steps else self.n_episodes
        loss_curve = []
        with ProgressReporter(self.verbose, total=total, desc="REINFORCE",
                              unit="step" if by_steps else "episode",
                              label="Step" if by_steps else "Episode") as progress:
            while (steps < self.total_timesteps) if by_steps else (done_episodes < self.n_episodes):
                batch = (self.episodes_per_update if by_steps
                         else min(self.episodes_per_update, self.n_episodes - done_episodes))
                xs, acts, advs = [], [], []
                steps_before = steps
                for _ in range(batch):
                    obs, _ = env.reset(seed=reset)
                    reset = None
                    rewards = []
                    while True:
                        x = self._encode_one(obs)
                        logits = _numpy_forward(layers, x).astype(np.float64)
                        probs = np.exp(logits - logits.max())
                        a = min(int(np.searchsorted(np.cumsum(probs), rng.random() * probs.sum(),
                                                    side="right")), self.n_actions_ - 1)
                        obs, r, terminated, truncated, _ = env.step(a)
                        xs.append(x)
                        acts.append(a)
                        rewards.append(float(r))
                        if terminated or truncated:
                            break
                    steps += len(rewards)
                    recorder.end_episode(np.sum(rewards), len(rewards), steps)
                    advs.append(self._returns(rewards))
                done_episodes += batch
                adv = np.concatenate(advs)
                if self.baseline == "normalize":
                    adv = (adv - adv.mean()) / (adv.std() + 1e-8)
                elif self.baseline == "mean":
                    adv = adv - adv.mean()
                logits = net(torch.from_numpy(np.stack(xs)).to(device))
                logp = torch.log_softmax(logits, 1).gather(
                    1, torch.as_tensor(acts, device=device).unsqueeze(1)
                ).squeeze(1)
                loss = -(logp * torch.as_tensor(adv, dtype=torch.float32, device=device)).mean()
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                if self.max_grad_norm is not None:
                    torch.nn.utils.clip_grad_norm_(net.parameters(), self.max_grad_norm)
                optimizer.step()
                loss_curve.append(loss.item())
                layers = _numpy_layers(net)
                n_updates += 1
                if evaluation is not None and (done_episodes // self.eval_freq
                                               > (done_episodes - batch) // self.eval_freq):
                    evaluation(net, steps)
                progress.update(steps - steps_before if by_steps else batch, loss=loss_curve[-1],
                                mean_return=np.mean(recorder.episode_returns[-batch:]))
        self._set_fitted("policy_net_", net, recorder, steps, done_episodes, n_updates, evaluation, steps,
                         loss_curve)
        return self

    def predict_proba(self, observation):
        """Action probabilities of one observation, or of a batch."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        obs, batched = self._check_observation(observation)
        logits = self._net_output(self.policy_net_, self._encode(obs)).astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        return p if batched else p[0]

    def _act_batch(self, obs, deterministic):
        logits = self._net_output(self.policy_net_, self._encode(obs))
        if deterministic:
            return logits.argmax(axis=1).astype(np.int64)
        p = np.exp(logits - logits.max(axis=1, keepdims=True))
        cum = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
        u = self._rng.random((len(obs), 1))
        return np.minimum((cum <= u).sum(axis=1), self.n_actions_ - 1).astype(np.int64)
