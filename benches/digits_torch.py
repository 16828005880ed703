#!/usr/bin/python3
"""One epoch of the digits benchmark in PyTorch, to compare with `cargo bench --bench digits`.

The same work as `benches/digits.rs`: a 64-32-10 MLP (ReLU hidden layer, linear outputs,
softmax cross-entropy) in float64, 1,797 random rows shaped like the 8x8 digits data set
(64 features k/16 for whole k in 0..16, a class 0..9), shuffled, minibatches of the given
sizes, one Adam step (lr 0.01) per minibatch, on one thread. The plain training loop:
nn.Sequential, nn.CrossEntropyLoss, torch.optim.Adam, zero_grad/backward/step.

Prints, per batch size, the median and shortest of the timed epochs in milliseconds.

Run (Debian's python3-torch, CPU only):
    /usr/bin/python3 benches/digits_torch.py [--batches 32,128,512] [--epochs 30]
"""

import argparse
import statistics
import time

import torch

ROWS, INPUTS, HIDDEN, CLASSES = 1797, 64, 32, 10
LR = 0.01


def data(seed=1797):
    g = torch.Generator().manual_seed(seed)
    x = torch.randint(0, 17, (ROWS, INPUTS), generator=g).to(torch.float64) / 16.0
    y = torch.randint(0, CLASSES, (ROWS,), generator=g)
    return x, y


def net(seed=64):
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(INPUTS, HIDDEN),
        torch.nn.ReLU(),
        torch.nn.Linear(HIDDEN, CLASSES),
    ).to(torch.float64)


def epoch(model, x, y, batch, generator):
    """One shuffled pass over the rows with a fresh Adam; the mean minibatch loss."""
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    order = torch.randperm(ROWS, generator=generator)
    total, count = 0.0, 0
    for start in range(0, ROWS, batch):
        rows = order[start:start + batch]
        optimizer.zero_grad()
        loss = loss_fn(model(x[rows]), y[rows])
        loss.backward()
        optimizer.step()
        total += loss.item()
        count += 1
    return total / count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", default="32,128,512")
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args()
    torch.set_num_threads(1)
    x, y = data()
    start = net().state_dict()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread, float64")
    for batch in [int(b) for b in args.batches.split(",")]:
        times = []
        for k in range(args.epochs + 3):
            model = net()
            model.load_state_dict(start)
            t0 = time.perf_counter()
            epoch(model, x, y, batch, torch.Generator().manual_seed(7))
            if k >= 3:  # the first epochs warm up
                times.append(time.perf_counter() - t0)
        print(
            f"batch {batch}: epoch median {1e3 * statistics.median(times):.2f} ms, "
            f"shortest {1e3 * min(times):.2f} ms ({args.epochs} epochs)"
        )


if __name__ == "__main__":
    main()
