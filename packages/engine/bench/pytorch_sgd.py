"""The lab's reference dynamics in PyTorch, for comparison with `npm run bench:engine`.

Online SGD, mean-field tanh network, sphere inputs, tanh teacher of width 4, R replicas batched
([R, P, d] tensors), as the engine runs it. Prints steps per second; never asserts.

  python3 packages/engine/bench/pytorch_sgd.py                   # d=32, n=1024, P=1024, R=4 on CPU
  python3 packages/engine/bench/pytorch_sgd.py --threads 1
  python3 packages/engine/bench/pytorch_sgd.py --gpu-size --device cuda   # d=32, n=16384, P=4096, R=8
  python3 packages/engine/bench/pytorch_sgd.py --gpu-size --device cuda --compile   # torch.compile
"""
import argparse
import time

import torch

parser = argparse.ArgumentParser()
parser.add_argument("--gpu-size", action="store_true")
parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (CPU); 0 = PyTorch's default")
parser.add_argument("--seconds", type=float, default=5.0)
parser.add_argument("--compile", action="store_true", help="the loss through torch.compile (forward and backward compiled)")
args = parser.parse_args()

d, n, P, R = (32, 16384, 4096, 8) if args.gpu_size else (32, 1024, 1024, 4)
dev = torch.device(args.device)
if args.threads:
    torch.set_num_threads(args.threads)
torch.manual_seed(0)
dt = 0.1

# Teacher: f*(x) = m^-1/2 sum_k a_k tanh(w_k . x), w ~ N(0, I/d), a ~ N(0, 1).
m = 4
tw = torch.randn(m, d, device=dev) / d**0.5
ta = torch.randn(m, device=dev)

# Student particles, mean-field: f = 1/n sum_i c_i tanh(w_i . x + b_i), velocity -n grad.
W = (torch.randn(R, n, d, device=dev) / d**0.5).requires_grad_()
b = torch.zeros(R, n, 1, device=dev).requires_grad_()
c = torch.randn(R, n, 1, device=dev).requires_grad_()


def loss_of(x, y):
    h = torch.baddbmm(b.transpose(1, 2), x, W.transpose(1, 2))  # [R, P, n]
    f = (torch.tanh(h) @ c).squeeze(2) / n  # [R, P]
    return 0.5 * ((f - y) ** 2).mean(dim=1)  # [R]


if args.compile:
    if not hasattr(torch, "compile"):
        print(f"pytorch {torch.__version__}: torch.compile unavailable (PyTorch 2 needed); compiled figure skipped")
        raise SystemExit(0)
    loss_of = torch.compile(loss_of)


def step():
    x = torch.randn(R, P, d, device=dev)
    x = x * (d**0.5 / x.norm(dim=2, keepdim=True))
    with torch.no_grad():
        y = torch.tanh(x @ tw.T) @ ta / m**0.5  # [R, P]
    loss = loss_of(x, y)
    gW, gb, gc = torch.autograd.grad(loss.sum(), (W, b, c))
    with torch.no_grad():
        W.sub_(dt * n * gW)
        b.sub_(dt * n * gb)
        c.sub_(dt * n * gc)
    return loss


def sync():
    if dev.type == "cuda":
        torch.cuda.synchronize()


for _ in range(3):
    step()
sync()
t0 = time.perf_counter()
steps = 0
while time.perf_counter() - t0 < args.seconds:
    step()
    steps += 1
    if dev.type == "cuda" and steps % 10 == 0:
        sync()
sync()
elapsed = time.perf_counter() - t0
name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else f"cpu, {torch.get_num_threads()} threads"
mode = "torch.compile" if args.compile else "eager"
print(f"pytorch {torch.__version__} {mode} d={d}, n={n}, P={P}, R={R}, online sgd, tanh: {steps / elapsed:.2f} steps/s ({steps} steps; {name})")
