#!/usr/bin/env python3
"""The 1989 network and its per-example SGD loop in PyTorch, on one thread.

The yardstick for `npm run bench`: the same network, the same start and the same
digits as the TypeScript engines (PROTOCOL.md 2 and 3, step 01), so that the two
are timed doing the same work. Reads the project's cached data (data/, see
src/lenet/data.ts) and initial weights written by saveParams (src/lenet/params.ts).

    torch_lenet.py --weights W                 time training and one evaluation; prints JSON
    torch_lenet.py --weights W --check 100     train on the first 100 digits; prints their losses
"""
import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parent.parent
def load_weights(file):
    """A lecun1989-ts weights file: one JSON header line, then float64 LE values in its order."""
    raw = Path(file).read_bytes()
    newline = raw.index(b"\n")
    header = json.loads(raw[:newline])
    assert header["format"] == "lecun1989-ts weights v2", header.get("format")
    values = np.frombuffer(raw[newline + 1:], dtype="<f8").astype(np.float32)
    params, offset = {}, 0
    for name, shape in header["shapes"].items():  # JSON keeps the file's order
        n = int(np.prod(shape))
        params[name] = torch.tensor(values[offset:offset + n].reshape(shape)).requires_grad_()
        offset += n
    assert offset == values.size, "weights file has trailing values"
    return params


def load_split(name="train-7291"):
    """Images [N, 1, 16, 16] and labels [N] from the project's data cache."""
    data = ROOT / "data"
    entry = json.loads((data / "manifest.json").read_text())["splits"][name]
    images = np.fromfile(data / entry["images"]["file"], dtype="<f4").reshape(-1, 1, 16, 16)
    labels = np.fromfile(data / entry["labels"]["file"], dtype=np.uint8)
    assert len(images) == len(labels) == entry["count"]
    return torch.from_numpy(images.copy()), torch.from_numpy(labels.astype(np.int64))


def forward(p, x):
    pad = lambda t: F.pad(t, (2, 2, 2, 2), value=-1.0)  # pad with the background, -1
    h1 = torch.tanh(F.conv2d(pad(x), p["h1w"], stride=2) + p["h1b"])  # per-unit biases
    h1 = pad(h1)
    # The H2 connection table (PROTOCOL.md 2): three convs, each of 4 output maps
    # over its own 8 of the 12 H1 maps: 0-7, 4-11, and 0-3 with 8-11.
    w = p["h2w"]
    g0 = F.conv2d(h1[:, 0:8], w[0:4], stride=2)
    g1 = F.conv2d(h1[:, 4:12], w[4:8], stride=2)
    g2 = F.conv2d(torch.cat((h1[:, 0:4], h1[:, 8:12]), dim=1), w[8:12], stride=2)
    h2 = torch.tanh(torch.cat((g0, g1, g2), dim=1) + p["h2b"])
    h3 = torch.tanh(h2.flatten(1) @ p["h3w"] + p["h3b"])
    return torch.tanh(h3 @ p["outw"] + p["outb"])


def targets(labels):
    """+1 for the true class, -1 for the others."""
    return F.one_hot(labels, 10).float() * 2 - 1


def train(p, images, ys, steps, lr=0.03, start=0):
    """Per-example SGD over the digits in order (wrapping); returns each example's loss."""
    sgd = torch.optim.SGD(p.values(), lr=lr)
    losses = []
    for k in range(start, start + steps):
        i = k % len(images)
        loss = F.mse_loss(forward(p, images[i:i + 1]), ys[i:i + 1])
        sgd.zero_grad()
        loss.backward()
        sgd.step()
        losses.append(loss.item())
    return losses


@torch.no_grad()
def evaluate(p, images, labels, chunk=4096):
    """Loss and misses of a whole split, batched in chunks as train.ts's evaluate does."""
    out = torch.cat([forward(p, images[s:s + chunk]) for s in range(0, len(images), chunk)])
    loss = F.mse_loss(out, targets(labels)).item()
    return loss, int((out.argmax(1) != labels).sum())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", required=True, help="initial weights, as saveParams writes them")
    ap.add_argument("--check", type=int, metavar="N", help="train on the first N digits and print their losses")
    ap.add_argument("--steps", type=int, default=7291, help="timed training steps")
    ap.add_argument("--warmup", type=int, default=500, help="untimed steps first")
    args = ap.parse_args()

    torch.set_num_threads(1)  # per-example work: a second thread only adds overhead
    p = load_weights(args.weights)
    images, labels = load_split()
    ys = targets(labels)

    if args.check:
        print(json.dumps({"losses": train(p, images, ys, args.check)}))
        return

    train(p, images, ys, args.warmup)
    t0 = time.perf_counter()
    train(p, images, ys, args.steps)
    seconds = time.perf_counter() - t0

    evaluate(p, images, labels)  # once untimed, as the TypeScript side does
    t0 = time.perf_counter()
    loss, misses = evaluate(p, images, labels)
    eval_seconds = time.perf_counter() - t0

    print(json.dumps({
        "stepsPerSecond": args.steps / seconds,
        "evalSeconds": eval_seconds,
        "steps": args.steps,
        "evalLoss": loss,
        "evalMisses": misses,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
    }))


if __name__ == "__main__":
    main()
