#!/usr/bin/env python3
"""PyTorch peer for `tdmpc bench encoder`: the pixel encoders of src/nn/conv.ts (TD-MPC, TD-MPC2, IMPALA ResNet),
timed on the CPU with one thread. Run with /usr/bin/python3 (Debian python3-torch).

Usage: bench_encoder_torch.py KIND SIZE BATCH REPS   -> one JSON line {"forward_ms": [...], "train_ms": [...]}
forward = encode without gradients (target encodings); train = forward + backward of sum(y * r).
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class SimNorm(nn.Module):
    def forward(self, x):
        shp = x.shape
        return F.softmax(x.view(*shp[:-1], -1, 8), dim=-1).view(*shp)


def out_size(n, k, s, p=0):
    return (n + 2 * p - k) // s + 1


class Residual(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c0 = nn.Conv2d(c, c, 3, padding=1)
        self.c1 = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        return x + self.c1(F.relu(self.c0(F.relu(x))))


def encoder(kind, size, channels=9, filters=32, latent=50):
    if kind == "tdmpc":
        layers, n = [], size
        for i, k in enumerate([7, 5, 3, 3]):
            layers += [nn.Conv2d(channels if i == 0 else filters, filters, k, stride=2), nn.ReLU()]
            n = out_size(n, k, 2)
        return nn.Sequential(*layers, nn.Flatten(), nn.Linear(filters * n * n, latent))
    if kind == "tdmpc2":
        return nn.Sequential(
            nn.Conv2d(channels, filters, 7, stride=2), nn.ReLU(),
            nn.Conv2d(filters, filters, 5, stride=2), nn.ReLU(),
            nn.Conv2d(filters, filters, 3, stride=2), nn.ReLU(),
            nn.Conv2d(filters, filters, 3, stride=1), nn.Flatten(), SimNorm())
    if kind == "impala":
        layers, c, n = [], channels, size
        for w in [16, 32, filters]:
            layers += [nn.Conv2d(c, w, 3, padding=1), nn.MaxPool2d(3, 2, 1), Residual(w), Residual(w)]
            c, n = w, out_size(n, 3, 2, 1)
        return nn.Sequential(*layers, nn.ReLU(), nn.Flatten(), nn.Linear(c * n * n, latent))
    raise ValueError(kind)


def main():
    kind, size, batch, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(1)
    torch.manual_seed(0)
    net = encoder(kind, size)
    x = torch.randint(0, 256, (batch, 9, size, size)).float()
    pre = (lambda t: t / 255.0 - 0.5) if kind == "tdmpc2" else (lambda t: t / 255.0)
    with torch.no_grad():
        r = torch.randn_like(net(pre(x[:1]))).expand(batch, -1).contiguous()

    def forward():
        with torch.no_grad():
            net(pre(x))

    def train():
        net.zero_grad(set_to_none=True)
        (net(pre(x)) * r).sum().backward()

    out = {}
    for name, fn in [("forward_ms", forward), ("train_ms", train)]:
        fn()  # warm-up
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1000)
        out[name] = times
    print(json.dumps(out))


if __name__ == "__main__":
    main()
