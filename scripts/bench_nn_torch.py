#!/usr/bin/env python3
"""PyTorch peer for `tdmpc bench nn`: the computation of the course's agents (src/agents/tdmpc2.ts, tdmpc.ts), timed
on the CPU: TD-MPC2's networks and update (running Q scale and scaled entropy included), TD-MPC's TOLD update, the
planning call and a whole agent step (plan + update).

The planning call is the one `act` makes: z0 = h(o), then the sampling planner of src/planning/sampling.ts with the
settings the bench sends (its SamplingPlannerConfig: numSamples Gaussian sequences + numPiTrajs policy sequences
rolled out once per call, numElites, iterations, temperature, momentum, std bounds), each sequence scored as
LatentPlanningModel scores it: Σ γ^t R(z_t, a_t) + γ^H Q(z_H, a_H) with a_H sampled from π (TD-MPC2: a policy sample,
mean of two random heads; TD-MPC: tanh μ + clipped noise of std minStd, min of both heads). Changed from the older
peer of src/nn/planner.ts (gone): the policy sequences, the sampled terminal action, momentum, and the running scale.

Run with /usr/bin/python3 (Debian python3-torch). Protocol: one JSON object per line on stdin, one JSON answer per
line on stdout.
  {"cmd": "setup", "case": NAME, "preset": {...}, "obs_dim": O, "action_dim": A, ...}   -> {"ok": true}
  {"cmd": "run", "case": NAME, "reps": K, "threads": T}                                -> {"times_ms": [...], "cpu_ms": [...]}
  {"cmd": "blas"}                                                                       -> {"library": ..., "sgemm512_ms": ...}
  {"cmd": "quit"}
"""
import copy
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class SimNorm(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        shp = x.shape
        x = x.view(*shp[:-1], -1, self.dim)
        return F.softmax(x, dim=-1).view(*shp)


def normed_linear(din, dout, act, dropout=0.0):
    layers = [nn.Linear(din, dout)]
    if dropout:
        layers.append(nn.Dropout(dropout))
    layers += [nn.LayerNorm(dout), act]
    return nn.Sequential(*layers)


def mlp(din, hidden, dout, out_act=None, dropout=0.0):
    dims = [din] + hidden
    layers = [normed_linear(dims[i], dims[i + 1], nn.Mish(), dropout if i == 0 else 0.0) for i in range(len(dims) - 1)]
    layers.append(normed_linear(dims[-1], dout, out_act) if out_act is not None else nn.Linear(dims[-1], dout))
    return nn.Sequential(*layers)


class Ensemble(nn.Module):
    """E MLP heads as stacked weights and batched matmuls (first layer: one wide matmul), as src/nn/layers.ts."""

    def __init__(self, E, din, h, dout, dropout):
        super().__init__()
        self.E, self.h = E, h
        self.w0 = nn.Parameter(torch.randn(din, E * h) * 0.02)
        self.b0 = nn.Parameter(torch.zeros(E * h))
        self.g0 = nn.Parameter(torch.ones(E, h))
        self.c0 = nn.Parameter(torch.zeros(E, h))
        self.w1 = nn.Parameter(torch.randn(E, h, h) * 0.02)
        self.b1 = nn.Parameter(torch.zeros(E, 1, h))
        self.g1 = nn.Parameter(torch.ones(E, 1, h))
        self.c1 = nn.Parameter(torch.zeros(E, 1, h))
        self.w2 = nn.Parameter(torch.zeros(E, h, dout))
        self.b2 = nn.Parameter(torch.zeros(E, 1, dout))
        self.dropout = dropout

    def forward(self, x, heads=None):
        """All heads, or only `heads` (weights indexed first, as src/nn/layers.ts applyEnsemble)."""
        B = x.shape[0]
        if heads is None:
            E, w0, b0, g0, c0 = self.E, self.w0, self.b0, self.g0, self.c0
            w1, b1, g1, c1, w2, b2 = self.w1, self.b1, self.g1, self.c1, self.w2, self.b2
        else:
            E = len(heads)
            w0 = self.w0.view(self.w0.shape[0], self.E, self.h)[:, heads].reshape(self.w0.shape[0], E * self.h)
            b0 = self.b0.view(self.E, self.h)[heads].reshape(-1)
            g0, c0 = self.g0[heads], self.c0[heads]
            w1, b1, g1, c1, w2, b2 = (t[heads] for t in (self.w1, self.b1, self.g1, self.c1, self.w2, self.b2))
        y = x @ w0 + b0
        if self.dropout and self.training:
            y = F.dropout(y, self.dropout)
        y = y.view(B, E, self.h)
        y = F.mish(F.layer_norm(y, (self.h,)) * g0 + c0).transpose(0, 1)  # [E, B, h]
        y = torch.baddbmm(b1, y, w1)
        y = F.mish(F.layer_norm(y, (self.h,)) * g1 + c1)
        return torch.baddbmm(b2, y, w2)  # [E, B, dout]


def symexp(x):
    return torch.sign(x) * (torch.exp(torch.abs(x)) - 1)


def symlog(x):
    return torch.sign(x) * torch.log1p(torch.abs(x))


class WorldModel(nn.Module):
    def __init__(self, p, O, A):
        super().__init__()
        L, H = p["latent_dim"], p["mlp_dim"]
        self.p, self.A = p, A
        sn = SimNorm(p["simnorm_dim"])
        self.enc = mlp(O, [p["enc_dim"]] * max(1, p["num_enc_layers"] - 1), L, sn)
        self.dyn = mlp(L + A, [H, H], L, sn)
        self.rew = mlp(L + A, [H, H], p["num_bins"])
        self.pi = mlp(L, [H, H], 2 * A)
        self.q = Ensemble(p["num_q"], L + A, H, p["num_bins"], p["dropout"])
        self.q_target = Ensemble(p["num_q"], L + A, H, p["num_bins"], 0.0)
        self.q_target.load_state_dict(self.q.state_dict())
        for q in self.q_target.parameters():
            q.requires_grad_(False)
        self.register_buffer("bins", torch.linspace(p["vmin"], p["vmax"], p["num_bins"]))

    def two_hot(self, x):
        p = self.p
        bs = (p["vmax"] - p["vmin"]) / (p["num_bins"] - 1)
        x = torch.clamp(symlog(x), p["vmin"], p["vmax"]).squeeze(-1)
        pos = (x - p["vmin"]) / bs
        idx = torch.floor(pos)
        off = (pos - idx).unsqueeze(-1)
        idx = idx.long()
        out = torch.zeros(x.shape[0], p["num_bins"])
        out.scatter_(1, idx.unsqueeze(1), 1 - off)
        out.scatter_add_(1, torch.clamp(idx + 1, max=p["num_bins"] - 1).unsqueeze(1), off)
        return out

    def two_hot_inv(self, logits):
        return symexp(torch.sum(F.softmax(logits, dim=-1) * self.bins, dim=-1, keepdim=True))

    def soft_ce(self, logits, target):
        return -(self.two_hot(target) * F.log_softmax(logits, dim=-1)).sum(-1, keepdim=True)

    def policy(self, z, tr):
        mu, log_std = self.pi(z).chunk(2, dim=-1)
        lo, hi = tr["log_std_min"], tr["log_std_max"]
        log_std = lo + 0.5 * (hi - lo) * (torch.tanh(log_std) + 1)
        eps = torch.randn_like(mu)
        pre = mu + eps * log_std.exp()
        logp = (-0.5 * eps.pow(2) - log_std - 0.5 * math.log(2 * math.pi)).sum(-1, keepdim=True)
        a = torch.tanh(pre)
        glogp = logp
        logp = logp - torch.log(F.relu(1 - a.pow(2)) + 1e-6).sum(-1, keepdim=True)
        # the official scaled entropy: −log π · (A · Gaussian log-prob) / (log π + 1e-8)
        scaled = -logp * (mu.shape[-1] * glogp) / (logp + 1e-8)
        return torch.tanh(mu), a, scaled

    def q_value(self, z, a, kind, target=False, heads=None):
        net = self.q_target if target else self.q
        if heads is None:
            heads = torch.randperm(self.p["num_q"])[:2]
        v = self.two_hot_inv(net(torch.cat([z, a], -1), heads))
        return v.min(0).values if kind == "min" else v.mean(0)

    def rollout_value(self, z, actions, discount, terminal=True):
        H = actions.shape[0]
        G, disc = 0.0, 1.0
        for t in range(H):
            za = torch.cat([z, actions[t]], -1)
            G = G + disc * self.two_hot_inv(self.rew(za))
            z = self.dyn(za)
            disc *= discount
        if not terminal:
            return G
        _, a, _ = self.policy(z, TRAIN)  # a_H ~ π(z_H)
        return G + disc * self.q_value(z, a, "avg")

    def pi_trajs(self, z0, n, H):
        z, out = z0.expand(n, -1), []
        for t in range(H):
            _, a, _ = self.policy(z, TRAIN)
            out.append(a)
            if t < H - 1:
                z = self.dyn(torch.cat([z, a], -1))
        return torch.stack(out)  # [H, n, A]


TRAIN = dict(lr=3e-4, enc_lr_scale=0.3, grad_clip_norm=20, tau=0.01, rho=0.5, horizon=3, consistency_coef=20,
             reward_coef=0.1, value_coef=0.1, entropy_coef=1e-4, log_std_min=-10, log_std_max=2, discount=0.99)


class Trainer:
    def __init__(self, wm):
        self.wm = wm
        t = TRAIN
        self.opt = torch.optim.Adam([
            {"params": wm.enc.parameters(), "lr": t["lr"] * t["enc_lr_scale"]},
            {"params": list(wm.dyn.parameters()) + list(wm.rew.parameters()) + list(wm.q.parameters())},
        ], lr=t["lr"])
        self.pi_opt = torch.optim.Adam(wm.pi.parameters(), lr=t["lr"], eps=1e-5)
        self.scale = 1.0

    def update(self, obs, action, reward):
        wm, t = self.wm, TRAIN
        H, B = action.shape[0], action.shape[1]
        rho = torch.tensor([t["rho"] ** i for i in range(H)]).repeat_interleave(B).unsqueeze(1)
        with torch.no_grad():
            nz = wm.enc(obs[1:].reshape(H * B, -1))
            _, a, _ = wm.policy(nz, t)
            td = reward.reshape(H * B, 1) + t["discount"] * wm.q_value(nz, a, "min", target=True)
        wm.train()
        z = wm.enc(obs[0])
        zs = [z]
        cons = 0
        for i in range(H):
            z = wm.dyn(torch.cat([z, action[i]], -1))
            cons = cons + t["rho"] ** i * F.mse_loss(z, nz[i * B:(i + 1) * B])
            zs.append(z)
        zin = torch.cat(zs[:-1], 0)
        act = action.reshape(H * B, -1)
        za = torch.cat([zin, act], -1)
        rew_loss = (wm.soft_ce(wm.rew(za), reward.reshape(H * B, 1)) * rho).sum() / (B * H)
        qs = wm.q(za)
        E = qs.shape[0]
        val_ce = wm.soft_ce(qs.reshape(E * H * B, -1), td.repeat(E, 1))
        val_loss = (val_ce * rho.repeat(E, 1)).sum() / (B * H * E)
        loss = t["consistency_coef"] * cons / H + t["reward_coef"] * rew_loss + t["value_coef"] * val_loss
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for g in self.opt.param_groups for p in g["params"]], t["grad_clip_norm"])
        self.opt.step()
        # policy
        zs_all = torch.cat(zs, 0).detach()
        rho_pi = torch.tensor([t["rho"] ** i for i in range(H + 1)]).repeat_interleave(B).unsqueeze(1)
        for p in wm.q.parameters():
            p.requires_grad_(False)
        _, a, scaled = wm.policy(zs_all, t)
        q = wm.q_value(zs_all, a, "avg")
        # the running scale (common/scale.py): S ← S + τ(max(P95 − P5, 1) − S) from Q at t = 0
        q0 = q[:B].detach().squeeze(1)
        rng = torch.quantile(q0, 0.95) - torch.quantile(q0, 0.05)
        self.scale += t["tau"] * (max(float(rng), 1.0) - self.scale)
        pi_loss = (-(t["entropy_coef"] * scaled + q / self.scale) * rho_pi).sum() / ((H + 1) * B)
        self.pi_opt.zero_grad(set_to_none=True)
        pi_loss.backward()
        torch.nn.utils.clip_grad_norm_(wm.pi.parameters(), t["grad_clip_norm"])
        self.pi_opt.step()
        for p in wm.q.parameters():
            p.requires_grad_(True)
        with torch.no_grad():
            for pt, p in zip(wm.q_target.parameters(), wm.q.parameters()):
                pt.lerp_(p, t["tau"])
        return float(loss)


class TOLD(nn.Module):
    """TD-MPC's model (official helper.py shapes): ELU MLPs, latent 50, two Q heads Linear-LayerNorm-Tanh-Linear-ELU-Linear."""

    def __init__(self, O, A, L=50, H=512, E=256):
        super().__init__()
        self.A = A
        self.enc = nn.Sequential(nn.Linear(O, E), nn.ELU(), nn.Linear(E, L))
        self.dyn = nn.Sequential(nn.Linear(L + A, H), nn.ELU(), nn.Linear(H, H), nn.ELU(), nn.Linear(H, L))
        self.rew = nn.Sequential(nn.Linear(L + A, H), nn.ELU(), nn.Linear(H, H), nn.ELU(), nn.Linear(H, 1))
        self.pi = nn.Sequential(nn.Linear(L, H), nn.ELU(), nn.Linear(H, H), nn.ELU(), nn.Linear(H, A))
        q = lambda: nn.Sequential(nn.Linear(L + A, H), nn.LayerNorm(H), nn.Tanh(), nn.Linear(H, H), nn.ELU(), nn.Linear(H, 1))
        self.q1, self.q2 = q(), q()

    def Q(self, z, a):
        x = torch.cat([z, a], -1)
        return self.q1(x), self.q2(x)

    def policy(self, z, std):
        mu = torch.tanh(self.pi(z))
        eps = torch.clamp(torch.randn_like(mu) * std, -0.3, 0.3)
        a = mu + eps
        return a - a.detach() + torch.clamp(a, -1 + 1e-6, 1 - 1e-6).detach()


TDMPC = dict(lr=1e-3, horizon=5, rho=0.5, consistency_coef=2, reward_coef=0.5, value_coef=0.1, grad_clip_norm=10,
             tau=0.01, discount=0.99, min_std=0.05, update_freq=2)


class TdmpcTrainer:
    """TD-MPC's update (official tdmpc.py update/update_pi), the horizon batched as in src/nn/onnx/tdmpc.ts."""

    def __init__(self, m):
        self.m = m
        self.target = copy.deepcopy(m)
        for p in self.target.parameters():
            p.requires_grad_(False)
        self.opt = torch.optim.Adam(list(m.enc.parameters()) + list(m.dyn.parameters()) + list(m.rew.parameters()) +
                                    list(m.q1.parameters()) + list(m.q2.parameters()), lr=TDMPC["lr"])
        self.pi_opt = torch.optim.Adam(m.pi.parameters(), lr=TDMPC["lr"])
        self.n = 0

    def update(self, obs, action, reward, weights):
        m, c = self.m, TDMPC
        H, B = action.shape[0], action.shape[1]
        rho = torch.tensor([c["rho"] ** i for i in range(H)]).repeat_interleave(B).unsqueeze(1)
        with torch.no_grad():
            nobs = obs[1:].reshape(H * B, -1)
            next_zt = self.target.enc(nobs)
            nz = m.enc(nobs)
            td = reward.reshape(H * B, 1) + c["discount"] * torch.min(*self.target.Q(nz, m.policy(nz, c["min_std"])))
        z = m.enc(obs[0])
        zs = [z]
        for t in range(H):
            z = m.dyn(torch.cat([z, action[t]], -1))
            zs.append(z)
        zin = torch.cat(zs[:-1], 0)
        act = action.reshape(H * B, -1)
        q1, q2 = m.Q(zin, act)
        r = m.rew(torch.cat([zin, act], -1))
        per = lambda rows: (rows * rho).view(H, B, 1).sum(0)
        cons = per(((torch.cat(zs[1:], 0) - next_zt) ** 2).mean(1, keepdim=True))
        rew_l = per((r - reward.reshape(H * B, 1)) ** 2)
        val = per((q1 - td) ** 2 + (q2 - td) ** 2)
        prio = per((q1 - td).abs() + (q2 - td).abs()).detach()
        total = c["consistency_coef"] * cons.clamp(max=1e4) + c["reward_coef"] * rew_l.clamp(max=1e4) + \
            c["value_coef"] * val.clamp(max=1e4)
        weighted = (total.squeeze(1) * weights).mean()
        self.opt.zero_grad(set_to_none=True)
        (weighted / H).backward()
        torch.nn.utils.clip_grad_norm_([p for g in self.opt.param_groups for p in g["params"]], c["grad_clip_norm"])
        self.opt.step()
        # policy: Q frozen
        zs_all = torch.cat(zs, 0).detach()
        rho_pi = torch.tensor([c["rho"] ** i for i in range(H + 1)]).repeat_interleave(B).unsqueeze(1)
        for p in list(m.q1.parameters()) + list(m.q2.parameters()):
            p.requires_grad_(False)
        q = torch.min(*m.Q(zs_all, m.policy(zs_all, c["min_std"])))
        pi_loss = -(q * rho_pi).sum() / B
        self.pi_opt.zero_grad(set_to_none=True)
        pi_loss.backward()
        torch.nn.utils.clip_grad_norm_(m.pi.parameters(), c["grad_clip_norm"])
        self.pi_opt.step()
        for p in list(m.q1.parameters()) + list(m.q2.parameters()):
            p.requires_grad_(True)
        self.n += 1
        if self.n % c["update_freq"] == 0:
            with torch.no_grad():
                for pt, p in zip(self.target.parameters(), m.parameters()):
                    pt.lerp_(p, c["tau"])
        return float(weighted), torch.clamp(prio, max=1e4)


@torch.no_grad()
def tdmpc_rollout_value(m, z, actions, discount, std, terminal=True):
    H = actions.shape[0]
    G, disc = 0.0, 1.0
    for t in range(H):
        x = torch.cat([z, actions[t]], -1)
        G = G + disc * m.rew(x)
        z = m.dyn(x)
        disc *= discount
    return G + disc * torch.min(*m.Q(z, m.policy(z, std))) if terminal else G


@torch.no_grad()
def tdmpc_pi_trajs(m, z0, n, H, std):
    z, out = z0.expand(n, -1), []
    for t in range(H):
        a = m.policy(z, std)
        out.append(a)
        if t < H - 1:
            z = m.dyn(torch.cat([z, a], -1))
    return torch.stack(out)


@torch.no_grad()
def plan(z0, pc, A, value, pi_trajs):
    """src/planning/sampling.ts (MPPI over the top-k, momentum, policy sequences after the Gaussian ones), and its
    last step: one elite drawn by its weight plus Gumbel noise (TD-MPC2) — the same cost as TD-MPC's draw."""
    G_, P, H, K = pc["numSamples"], pc["numPiTrajs"], pc["horizon"], pc["numElites"]
    N = G_ + P
    mean = torch.zeros(H, A)
    std = torch.full((H, A), float(pc["maxStd"]))
    z = z0.expand(N, -1)
    actions = torch.empty(H, N, A)
    if P:
        actions[:, G_:] = pi_trajs(z0, P, H)
    for _ in range(pc["iterations"]):
        actions[:, :G_] = torch.clamp(mean.unsqueeze(1) + std.unsqueeze(1) * torch.randn(H, G_, A), -1, 1)
        G = value(z, actions).squeeze(1)
        val, idx = torch.topk(G, K)
        w = torch.exp(pc["temperature"] * (val - val.max()))
        w = w / w.sum()
        el = actions[:, idx]  # [H, K, A]
        m = (w.view(1, K, 1) * el).sum(1)
        mean = pc["momentum"] * mean + (1 - pc["momentum"]) * m
        std = torch.sqrt((w.view(1, K, 1) * (el - m.unsqueeze(1)) ** 2).sum(1)).clamp(pc["minStd"], pc["maxStd"])
    pick = torch.argmax(w - torch.log(-torch.log(torch.rand(K).clamp_min(1e-20))))
    return el[:, pick][0]


def tdmpc2_plan(wm, z0, pc, A):
    wm.eval()
    return plan(z0, pc, A, lambda z, a: wm.rollout_value(z, a, pc["discount"], pc["terminal"]), wm.pi_trajs)


def tdmpc_plan(m, z0, pc, A):
    std = pc["minStd"]
    return plan(z0, pc, A, lambda z, a: tdmpc_rollout_value(m, z, a, pc["discount"], std, pc["terminal"]),
                lambda z, n, H: tdmpc_pi_trajs(m, z, n, H, std))


def blas_info():
    """Which BLAS serves torch here (Debian's python3-torch uses whatever provides libblas.so.3) and how fast."""
    torch.set_num_threads(1)
    a, b = torch.randn(512, 512), torch.randn(512, 512)
    a @ b
    libs = sorted({line.split()[-1] for line in open("/proc/self/maps") if "blas" in line.lower() and ".so" in line})
    ts = []
    for _ in range(7):
        t0 = time.perf_counter()
        a @ b
        ts.append((time.perf_counter() - t0) * 1000)
    # the fastest of 7: on a loaded machine the median also counts time spent waiting for a core, the fastest
    # call hardly does (reference BLAS ~95 ms, OpenBLAS 1-4 ms either way)
    return {"libraries": libs, "sgemm512_ms": min(ts), "torch": torch.__version__}


def main():
    cases = {}
    for line in sys.stdin:
        msg = json.loads(line)
        cmd = msg["cmd"]
        if cmd == "quit":
            break
        if cmd == "setup":
            torch.manual_seed(0)
            p, O, A = msg["preset"], msg["obs_dim"], msg["action_dim"]
            kind = msg["kind"]
            wm = None if kind.startswith("tdmpc") else WorldModel(p, O, A)
            if kind == "forward":
                N = msg["rows"]
                z = F.softmax(torch.randn(N, p["latent_dim"] // p["simnorm_dim"], p["simnorm_dim"]), -1).view(N, -1)
                a = torch.rand(N, A) * 2 - 1
                wm.eval()

                def run(wm=wm, z=z, a=a):
                    with torch.no_grad():
                        za = torch.cat([z, a], -1)
                        return wm.dyn(za), wm.rew(za)
            elif kind == "plan":
                obs = torch.randn(1, O)
                pc = msg["plan"]

                def run(wm=wm, obs=obs, pc=pc, A=A):
                    with torch.no_grad():
                        z0 = wm.enc(obs)
                    return tdmpc2_plan(wm, z0, pc, A)
            elif kind == "update":
                B, H = msg["batch"], TRAIN["horizon"]
                obs = torch.randn(H + 1, B, O)
                action = torch.rand(H, B, A) * 2 - 1
                reward = torch.rand(H, B)
                tr = Trainer(wm)

                def run(tr=tr, obs=obs, action=action, reward=reward):
                    return tr.update(obs, action, reward)
            elif kind == "agent":
                B, H = msg["batch"], TRAIN["horizon"]
                obs, action, reward = torch.randn(H + 1, B, O), torch.rand(H, B, A) * 2 - 1, torch.rand(H, B)
                tr, o1, pc = Trainer(wm), torch.randn(1, O), msg["plan"]

                def run(wm=wm, tr=tr, o1=o1, pc=pc, A=A, obs=obs, action=action, reward=reward):
                    with torch.no_grad():
                        z0 = wm.enc(o1)
                    tdmpc2_plan(wm, z0, pc, A)
                    return tr.update(obs, action, reward)
            elif kind in ("tdmpc-update", "tdmpc-agent"):
                B, H = msg["batch"], TDMPC["horizon"]
                m = TOLD(O, A, L=p.get("latent_dim", 50), H=p.get("mlp_dim", 512), E=p.get("enc_dim", 256))
                wm = m
                obs, action, reward = torch.randn(H + 1, B, O), torch.rand(H, B, A) * 2 - 1, torch.rand(H, B)
                weights = torch.rand(B) * 0.7 + 0.3
                tr, o1, pc = TdmpcTrainer(m), torch.randn(1, O), msg.get("plan")

                def run(m=m, tr=tr, o1=o1, pc=pc, A=A, obs=obs, action=action, reward=reward, weights=weights, kind=kind):
                    if kind == "tdmpc-agent":
                        with torch.no_grad():
                            z0 = m.enc(o1)
                        tdmpc_plan(m, z0, pc, A)
                    return tr.update(obs, action, reward, weights)
            else:
                raise ValueError(f"unknown kind {kind}")
            cases[msg["case"]] = run
            print(json.dumps({"ok": True, "params": sum(x.numel() for x in wm.parameters() if x.requires_grad)}), flush=True)
        elif cmd == "blas":
            print(json.dumps(blas_info()), flush=True)
        elif cmd == "run":
            torch.set_num_threads(int(msg["threads"]))
            run = cases[msg["case"]]
            if msg.get("warmup", 0):
                for _ in range(msg["warmup"]):
                    run()
            times, cpu = [], []
            for _ in range(msg["reps"]):
                t0, c0 = time.perf_counter(), time.process_time()
                run()
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
            print(json.dumps({"times_ms": times, "cpu_ms": cpu}), flush=True)
        else:
            print(json.dumps({"error": f"unknown cmd {cmd}"}), flush=True)


if __name__ == "__main__":
    main()
