"""Reference timings in PyTorch (Debian python3-torch) for the benchmark's classic table.

Usage: python3 pytorch_reference.py <fashion-mnist folder> <model> <epochs> <threads>
model: dense-32 (784-32-784, ReLU code), deep (784-128-64-32 mirrored, ReLU), conv (16-8-8 classic).
Prints one JSON line: seconds per epoch, train and test BCE per epoch, batched inference rows/s of the encoder.
Written as a PyTorch expert would: the decoder ends in a linear (or convolution) layer and the loss is
BCEWithLogitsLoss, which fuses the sigmoid into the cross-entropy (faster and exact near 0 and 1); the caller sets
OPENBLAS_NUM_THREADS and OMP_NUM_THREADS to the thread count.
"""
import gzip, json, sys, time
import numpy as np
import torch
from torch import nn


def load(folder, prefix):
    with gzip.open(f"{folder}/{prefix}-images-idx3-ubyte.gz") as f:
        data = np.frombuffer(f.read(), dtype=np.uint8, offset=16)
    return torch.from_numpy(data.reshape(-1, 784).astype(np.float32) / 255.0)


def dense(sizes):
    enc, dec = [], []
    for i in range(len(sizes) - 1):
        enc += [nn.Linear(sizes[i], sizes[i + 1]), nn.ReLU()]
    rev = sizes[::-1]
    for i in range(len(rev) - 1):
        dec += [nn.Linear(rev[i], rev[i + 1])] + ([nn.ReLU()] if i < len(rev) - 2 else [])
    return nn.Sequential(*enc), nn.Sequential(*dec)


class Crop(nn.Module):
    def __init__(self, size):
        super().__init__()
        self.size = size

    def forward(self, x):
        return x[:, :, : self.size, : self.size]


def conv():
    enc = nn.Sequential(
        nn.Unflatten(1, (1, 28, 28)),
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2, ceil_mode=True),
        nn.Conv2d(16, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2, ceil_mode=True),
        nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2, ceil_mode=True),
        nn.Flatten())
    dec = nn.Sequential(
        nn.Unflatten(1, (8, 4, 4)),
        nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(), nn.Upsample(scale_factor=2), Crop(7),
        nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(), nn.Upsample(scale_factor=2), Crop(14),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.Upsample(scale_factor=2), Crop(28),
        nn.Conv2d(16, 1, 3, padding=1), nn.Flatten())
    return enc, dec


def main():
    folder, model, epochs, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    train, test = load(folder, "train"), load(folder, "t10k")
    enc, dec = {"dense-32": lambda: dense([784, 32]), "deep": lambda: dense([784, 128, 64, 32]), "conv": conv}[model]()
    net = nn.Sequential(enc, dec)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = nn.BCEWithLogitsLoss()  # on the decoder's logits
    result = {"model": model, "threads": threads, "torch": torch.__version__, "epochs": []}
    for epoch in range(epochs):
        start = time.perf_counter()
        perm = torch.randperm(train.shape[0])
        total = 0.0
        net.train()
        for i in range(0, train.shape[0], 256):
            batch = train[perm[i:i + 256]]
            loss = loss_fn(net(batch), batch)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * batch.shape[0]
        seconds = time.perf_counter() - start
        net.eval()
        with torch.no_grad():
            test_loss = sum(loss_fn(net(test[i:i + 1000]), test[i:i + 1000]).item() * 1000 for i in range(0, 10000, 1000)) / 10000
        result["epochs"].append({"seconds": seconds, "train": total / train.shape[0], "test": test_loss})
    with torch.no_grad():
        best = 0.0
        for _ in range(3):
            start = time.perf_counter()
            for i in range(0, 10000, 1024):
                enc(test[i:i + 1024])
            best = max(best, 10000 / (time.perf_counter() - start))
    result["encode_rows_per_second"] = best
    print(json.dumps(result))


if __name__ == "__main__":
    main()
