"""sklml's deep agents on CartPole-v1 against stable-baselines3, in one run on one CPU thread.

Two parts:

* ``speed``: environment steps per second of sklml's DQN and stable-baselines3's DQN with the
  same network and hyper-parameters (periodic evaluation off on both), median of the runs,
  wall and process CPU time. Without stable-baselines3 (``pip install -e ".[bench]"``) the
  anchor is a plain torch DQN loop written the textbook way.
* ``seeds``: the default ``DQN()`` and ``REINFORCE()`` per seed: mean return over 20 seeded
  evaluation episodes and the CPU time of ``fit``, next to stable-baselines3's DQN with the
  rl-baselines3-zoo CartPole settings (which sklml's defaults copy) on the same seeds,
  evaluated the same way.

Both parts warm every side the same way before timing: one untimed short run of each agent
(``learning_starts`` + two training rounds for the speed part, a 1,512-step / 4-episode fit
for the seeds part). The speed part takes the median of the same number of interleaved runs
per side, wall and CPU (``time.process_time``; torch is held to one thread) side by side, and
prints its target: sklml's steps/s no lower than stable-baselines3's (ratio >= 1, judged on
CPU, the wall ratio beside it; the previous sessions measured 1.4-1.7x). The seeds part's
targets: every seed solved by ``DQN()`` and by ``REINFORCE()``. The load average is printed.

    python benchmarks/bench_rl.py                      # both parts, seeds 0-9
    python benchmarks/bench_rl.py --quick              # the speed part, 5,000 steps, one run
    python benchmarks/bench_rl.py --quick --part both  # and the seeds part on seeds 0-2
    python benchmarks/bench_rl.py --part seeds --seeds 0,1,2
"""

import argparse
import copy
import statistics

import gymnasium as gym
import numpy as np
import torch

from _timing import header, load_average, target_line, time_once
from sklml.rl import DQN, REINFORCE
from sklml.rl._base import rollout

# rl-baselines3-zoo's CartPole-v1 settings (sklml's DQN defaults): bound by the gradient steps
ZOO = dict(learning_rate=2.3e-3, buffer_size=100_000, learning_starts=1000, batch_size=64,
           gamma=0.99, target_update_interval=10, train_freq=256, gradient_steps=128,
           exploration_fraction=0.16, exploration_final_eps=0.04)
# one gradient step every 4 env steps on a 64x64 net: bound by the env interaction loop
INTERACTION = dict(ZOO, train_freq=4, gradient_steps=1, target_update_interval=250)
SETTINGS = {"zoo": (ZOO, (256, 256)), "interaction": (INTERACTION, (64, 64))}
SOLVED, EVAL_EPISODES = 195, 20


def timed(fit):
    """(result, wall seconds, CPU seconds) of one call."""
    wall, cpu, result = time_once(fit)
    return result, wall, cpu


# -- speed ---------------------------------------------------------------------------
def run_sklml(params, hidden, n_steps, seed):
    agent = DQN(hidden_layer_sizes=hidden, n_steps=n_steps, eval_freq=None, random_state=seed,
                device="cpu", **params)
    env = gym.make("CartPole-v1")
    return timed(lambda: agent.fit(env))[1:]


def run_sb3(params, hidden, n_steps, seed):
    from stable_baselines3 import DQN as SB3DQN

    model = SB3DQN("MlpPolicy", gym.make("CartPole-v1"), policy_kwargs=dict(net_arch=list(hidden)),
                   max_grad_norm=10, seed=seed, device="cpu", verbose=0, **params)
    return timed(lambda: model.learn(total_timesteps=n_steps))[1:]


def run_torch_loop(params, hidden, n_steps, seed):
    """A plain torch DQN: per-step torch forward, numpy replay buffer."""
    import torch.nn.functional as F
    from torch import nn

    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    env = gym.make("CartPole-v1")
    layers, width = [], 4
    for h in hidden:
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    q = nn.Sequential(*layers, nn.Linear(width, 2))
    target = copy.deepcopy(q)
    opt = torch.optim.Adam(q.parameters(), lr=params["learning_rate"])
    size = min(params["buffer_size"], n_steps)
    O, O2 = np.zeros((size, 4), np.float32), np.zeros((size, 4), np.float32)
    A, R, D = np.zeros(size, np.int64), np.zeros(size, np.float32), np.zeros(size, np.float32)

    def loop():
        obs, _ = env.reset(seed=seed)
        for t in range(n_steps):
            eps = max(params["exploration_final_eps"], 1 - t / (params["exploration_fraction"] * n_steps))
            if t < params["learning_starts"] or rng.random() < eps:
                a = int(rng.integers(2))
            else:
                with torch.no_grad():
                    a = int(q(torch.as_tensor(obs).unsqueeze(0)).argmax())
            obs2, r, term, trunc, _ = env.step(a)
            i = t % size
            O[i], O2[i], A[i], R[i], D[i] = obs, obs2, a, r, term
            obs = env.reset()[0] if term or trunc else obs2
            if t + 1 > params["learning_starts"] and (t + 1) % params["train_freq"] == 0:
                for _ in range(params["gradient_steps"]):
                    idx = rng.integers(0, min(t + 1, size), params["batch_size"])
                    with torch.no_grad():
                        y = torch.from_numpy(R[idx]) + params["gamma"] * (1 - torch.from_numpy(D[idx])) \
                            * target(torch.from_numpy(O2[idx])).max(1).values
                    qa = q(torch.from_numpy(O[idx])).gather(1, torch.from_numpy(A[idx]).unsqueeze(1)).squeeze(1)
                    loss = F.smooth_l1_loss(qa, y)
                    opt.zero_grad()
                    loss.backward()
                    nn.utils.clip_grad_norm_(q.parameters(), 10)
                    opt.step()
            if (t + 1) % params["target_update_interval"] == 0:
                target.load_state_dict(q.state_dict())

    return timed(loop)[1:]


def speed(anchor_name, anchor, n_steps, repeats, settings):
    for setting in settings:
        params, hidden = SETTINGS[setting]
        print()
        header(f"DQN speed, {setting} setting: {n_steps} env steps, net {hidden}, train_freq "
               f"{params['train_freq']}, gradient_steps {params['gradient_steps']}", repeats,
               "one untimed warm-up run each, runs interleaved")
        warm_steps = params["learning_starts"] + 2 * params["train_freq"]
        run_sklml(params, hidden, warm_steps, 0)  # imports, first torch calls: warm both sides alike
        anchor(params, hidden, warm_steps, 0)
        ours, theirs = [], []
        for r in range(repeats):  # interleaved, so a load spike hits both
            ours.append(run_sklml(params, hidden, n_steps, r))
            theirs.append(anchor(params, hidden, n_steps, r))
        rows = {}
        for name, runs in (("sklml DQN", ours), (anchor_name, theirs)):
            wall = statistics.median(w for w, _ in runs)
            cpu = statistics.median(c for _, c in runs)
            rows[name] = (n_steps / wall, n_steps / cpu)
            print(f"{name:34s}: {n_steps / wall:7.0f} steps/s wall, {n_steps / cpu:7.0f} steps/s CPU")
        (ow, oc), (tw, tc) = rows["sklml DQN"], rows[anchor_name]
        print(f"{'ratio sklml / anchor':34s}: {ow / tw:7.2f}x wall,        {oc / tc:7.2f}x CPU"
              f"  (steps/s ratios: > 1 is faster)")
        if anchor is run_sb3:
            target_line(f"{setting}: sklml DQN steps/s >= stable-baselines3's", oc / tc, 1.0,
                        "CPU steps/s ratio", at_most=False)
            print(f"  (wall steps/s ratio {ow / tw:.2f}x beside it)")
        else:
            print(f"no target against the plain torch loop (the target is against "
                  f"stable-baselines3)  [load {load_average()}]")


# -- seeds ---------------------------------------------------------------------------
def evaluate_sb3(model, seed):
    policy = lambda obs: int(model.predict(obs, deterministic=True)[0])  # noqa: E731
    returns, _ = rollout(gym.make("CartPole-v1"), policy, EVAL_EPISODES, seed=seed)
    return returns.mean()


def seeds(seed_list, with_sb3):
    print(f"\nCartPole-v1, default parameters: mean return over {EVAL_EPISODES} evaluation episodes "
          f"(random_state=seed) and fit CPU time per seed; solved means >= {SOLVED}; every agent "
          f"warmed by one untimed short fit first; load average {load_average()}")
    DQN(n_steps=1512, random_state=0, device="cpu").fit(gym.make("CartPole-v1"))
    REINFORCE(n_episodes=4, random_state=0, device="cpu").fit(gym.make("CartPole-v1"))
    if with_sb3:
        from stable_baselines3 import DQN as SB3DQN

        SB3DQN("MlpPolicy", gym.make("CartPole-v1"), policy_kwargs=dict(net_arch=[256, 256]),
               max_grad_norm=10, seed=0, device="cpu", verbose=0, **ZOO).learn(1512)
    columns = ["DQN()", "REINFORCE()"] + (["SB3 DQN (zoo)"] if with_sb3 else [])
    print("seed  " + "  ".join(f"{c:>20s}" for c in columns))
    table = {c: [] for c in columns}
    for seed in seed_list:
        cells = []
        for name, cls in (("DQN()", DQN), ("REINFORCE()", REINFORCE)):
            agent = cls(random_state=seed, device="cpu")
            _, _, cpu = timed(lambda: agent.fit(gym.make("CartPole-v1")))
            mean = agent.evaluate(gym.make("CartPole-v1"), n_episodes=EVAL_EPISODES, random_state=seed)[0]
            table[name].append((mean, cpu))
        if with_sb3:
            from stable_baselines3 import DQN as SB3DQN

            model = SB3DQN("MlpPolicy", gym.make("CartPole-v1"), policy_kwargs=dict(net_arch=[256, 256]),
                           max_grad_norm=10, seed=seed, device="cpu", verbose=0, **ZOO)
            _, _, cpu = timed(lambda: model.learn(total_timesteps=50_000))
            table["SB3 DQN (zoo)"].append((evaluate_sb3(model, seed), cpu))
        cells = [f"{table[c][-1][0]:7.1f} ({table[c][-1][1]:5.1f} s CPU)" for c in columns]
        print(f"{seed:4d}  " + "  ".join(f"{c:>20s}" for c in cells), flush=True)
    print("solved" + "".join(f"  {sum(m >= SOLVED for m, _ in table[c]):>11d} of {len(seed_list):<2d}     "
                             for c in columns))
    print("median" + "".join(f"  {np.median([m for m, _ in table[c]]):7.1f} "
                             f"({np.median([t for _, t in table[c]]):5.1f} s CPU)" for c in columns))
    for c in ("DQN()", "REINFORCE()"):
        target_line(f"{c} solves CartPole (mean return >= {SOLVED}) on every seed",
                    sum(m >= SOLVED for m, _ in table[c]), len(seed_list), "seeds solved",
                    at_most=False, unit="")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="5,000 steps, one speed run, seeds 0-2; the speed part only unless "
                             "--part is given (the seeds part fits the full defaults: minutes)")
    parser.add_argument("--part", choices=["speed", "seeds", "both"], default=None,
                        help="default: both (--quick: speed)")
    parser.add_argument("--steps", type=int, default=None, help="env steps of a speed run (20,000)")
    parser.add_argument("--repeats", type=int, default=None, help="speed runs per side (3)")
    parser.add_argument("--seeds", default=None, help="comma-separated seeds of the seeds part (0-9)")
    parser.add_argument("--setting", choices=["zoo", "interaction", "both"], default="both",
                        help="speed hyper-parameters: rl-zoo CartPole (net 256x256, 128 gradient "
                             "steps per 256 env steps), an interaction-bound one, or both")
    args = parser.parse_args()
    args.part = args.part or ("speed" if args.quick else "both")
    torch.set_num_threads(1)  # fastest for these small networks, and the same for both sides
    try:
        import stable_baselines3

        anchor_name, anchor = f"stable-baselines3 {stable_baselines3.__version__} DQN", run_sb3
        with_sb3 = True
    except ImportError:
        anchor_name, anchor, with_sb3 = "plain torch DQN loop", run_torch_loop, False
    if args.part in ("speed", "both"):
        speed(anchor_name, anchor, args.steps or (5_000 if args.quick else 20_000),
              args.repeats or (1 if args.quick else 3),
              ["zoo", "interaction"] if args.setting == "both" else [args.setting])
    if args.part in ("seeds", "both"):
        seed_list = ([int(s) for s in args.seeds.split(",")] if args.seeds
                     else list(range(3 if args.quick else 10)))
        seeds(seed_list, with_sb3)


if __name__ == "__main__":
    main()
