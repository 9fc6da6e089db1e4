"""DQN training speed: environment steps per second of sklml's DQN against
stable-baselines3's DQN with the same network and hyper-parameters (CartPole-v1, CPU).

If stable-baselines3 is not installed (``pip install -e ".[bench]"``), the anchor is a
plain torch DQN loop written the textbook way (torch forward for every action).

    python benchmarks/bench_rl.py            # 20,000 steps per run, best of 2 runs each
    python benchmarks/bench_rl.py --quick    # 5,000 steps, one run each
"""

import argparse
import copy
import time

import gymnasium as gym
import numpy as np
import torch

from sklml.rl import DQN

# rl-baselines3-zoo's CartPole-v1 settings (sklml's DQN defaults): bound by the gradient steps
ZOO = dict(learning_rate=2.3e-3, buffer_size=100_000, learning_starts=1000, batch_size=64,
           gamma=0.99, target_update_interval=10, train_freq=256, gradient_steps=128,
           exploration_fraction=0.16, exploration_final_eps=0.04)
# one gradient step every 4 env steps on a 64x64 net: bound by the env interaction loop
INTERACTION = dict(ZOO, train_freq=4, gradient_steps=1, target_update_interval=250)
SETTINGS = {"zoo": (ZOO, (256, 256)), "interaction": (INTERACTION, (64, 64))}
PARAMS, HIDDEN = SETTINGS["zoo"]


def run_sklml(n_steps, seed):
    agent = DQN(hidden_layer_sizes=HIDDEN, n_steps=n_steps, random_state=seed, device="cpu", **PARAMS)
    env = gym.make("CartPole-v1")
    start = time.perf_counter()
    agent.fit(env)
    return n_steps / (time.perf_counter() - start)


def run_sb3(n_steps, seed):
    from stable_baselines3 import DQN as SB3DQN

    p = dict(PARAMS)
    model = SB3DQN("MlpPolicy", gym.make("CartPole-v1"), policy_kwargs=dict(net_arch=list(HIDDEN)),
                   max_grad_norm=10, seed=seed, device="cpu", verbose=0, **p)
    start = time.perf_counter()
    model.learn(total_timesteps=n_steps)
    return n_steps / (time.perf_counter() - start)


def run_torch_loop(n_steps, seed):
    """A plain torch DQN: per-step torch forward, deque-free numpy buffer."""
    import torch.nn.functional as F
    from torch import nn

    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    env = gym.make("CartPole-v1")
    layers, width = [], 4
    for h in HIDDEN:
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    q = nn.Sequential(*layers, nn.Linear(width, 2))
    target = copy.deepcopy(q)
    opt = torch.optim.Adam(q.parameters(), lr=PARAMS["learning_rate"])
    size = min(PARAMS["buffer_size"], n_steps)
    O, O2 = np.zeros((size, 4), np.float32), np.zeros((size, 4), np.float32)
    A, R, D = np.zeros(size, np.int64), np.zeros(size, np.float32), np.zeros(size, np.float32)
    obs, _ = env.reset(seed=seed)
    start = time.perf_counter()
    for t in range(n_steps):
        eps = max(PARAMS["exploration_final_eps"], 1 - t / (PARAMS["exploration_fraction"] * n_steps))
        if t < PARAMS["learning_starts"] or rng.random() < eps:
            a = int(rng.integers(2))
        else:
            with torch.no_grad():
                a = int(q(torch.as_tensor(obs).unsqueeze(0)).argmax())
        obs2, r, term, trunc, _ = env.step(a)
        i = t % size
        O[i], O2[i], A[i], R[i], D[i] = obs, obs2, a, r, term
        obs = env.reset()[0] if term or trunc else obs2
        if t + 1 > PARAMS["learning_starts"] and (t + 1) % PARAMS["train_freq"] == 0:
            for _ in range(PARAMS["gradient_steps"]):
                idx = rng.integers(0, min(t + 1, size), PARAMS["batch_size"])
                with torch.no_grad():
                    y = torch.from_numpy(R[idx]) + PARAMS["gamma"] * (1 - torch.from_numpy(D[idx])) * \
                        target(torch.from_numpy(O2[idx])).max(1).values
                qa = q(torch.from_numpy(O[idx])).gather(1, torch.from_numpy(A[idx]).unsqueeze(1)).squeeze(1)
                loss = F.smooth_l1_loss(qa, y)
                opt.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(q.parameters(), 10)
                opt.step()
        if (t + 1) % PARAMS["target_update_interval"] == 0:
            target.load_state_dict(q.state_dict())
    return n_steps / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 steps, one run each")
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--setting", choices=["zoo", "interaction", "both"], default="both",
                        help="hyper-parameters: rl-zoo CartPole (default net 256x256, 128 gradient "
                             "steps per 256 env steps), an interaction-bound one, or both")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads for both (default 1: fastest for these small networks)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    n_steps = args.steps or (5_000 if args.quick else 20_000)
    repeats = args.repeats or (1 if args.quick else 2)
    try:
        import stable_baselines3

        anchor_name, anchor = f"stable-baselines3 {stable_baselines3.__version__} DQN", run_sb3
    except ImportError:
        anchor_name, anchor = "plain torch DQN loop", run_torch_loop
    global PARAMS, HIDDEN
    settings = ["zoo", "interaction"] if args.setting == "both" else [args.setting]
    for setting in settings:
        PARAMS, HIDDEN = SETTINGS[setting]
        print(f"\nDQN on CartPole-v1, {setting} setting: {n_steps} env steps, net {HIDDEN}, "
              f"train_freq {PARAMS['train_freq']}, gradient_steps {PARAMS['gradient_steps']}, "
              f"torch threads {torch.get_num_threads()}, best of {repeats}")
        ours, theirs = [], []
        for r in range(repeats):  # interleaved, so a load spike hits both
            ours.append(run_sklml(n_steps, r))
            theirs.append(anchor(n_steps, r))
        ours_best, theirs_best = max(ours), max(theirs)
        print(f"sklml DQN            : {ours_best:8.0f} steps/s  (runs: {', '.join(f'{x:.0f}' for x in ours)})")
        print(f"{anchor_name:21s}: {theirs_best:8.0f} steps/s  (runs: {', '.join(f'{x:.0f}' for x in theirs)})")
        print(f"ratio sklml / anchor : {ours_best / theirs_best:.2f}x")


if __name__ == "__main__":
    main()
