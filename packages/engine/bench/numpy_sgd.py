"""The lab's reference dynamics in NumPy (float32, hand-written gradients), the peer a lab member
would run: `npm run bench:engine` runs it in the same run as the native kernel. Online SGD,
mean-field tanh network, sphere inputs, tanh teacher of width 4, R replicas batched ([R, P, d]
arrays, 2-D BLAS products per replica). Prints steps per second; never asserts.

  python3 packages/engine/bench/numpy_sgd.py --threads 1        # d=32, n=1024, P=1024, R=4
  python3 packages/engine/bench/numpy_sgd.py --threads 2 --seconds 5
"""
import argparse
import os
import time

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=1, help="BLAS threads")
parser.add_argument("--seconds", type=float, default=5.0)
parser.add_argument("--d", type=int, default=32)
parser.add_argument("--n", type=int, default=1024)
parser.add_argument("--P", type=int, default=1024)
parser.add_argument("--R", type=int, default=4)
args = parser.parse_args()
# BLAS reads these when it loads, so before numpy is imported.
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402

d, n, P, R = args.d, args.n, args.P, args.R
rng = np.random.default_rng(0)
f32 = np.float32
dt = f32(0.1)
m = 4
tw = (rng.standard_normal((m, d), dtype=f32) / np.sqrt(d)).astype(f32)
ta = rng.standard_normal(m, dtype=f32)
W = (rng.standard_normal((R, n, d), dtype=f32) / np.sqrt(d)).astype(f32)
b = np.zeros((R, n), dtype=f32)
c = rng.standard_normal((R, n), dtype=f32)


def step():
    x = rng.standard_normal((R, P, d), dtype=f32)
    x *= (np.sqrt(f32(d)) / np.linalg.norm(x, axis=2, keepdims=True)).astype(f32)
    loss = np.empty(R)
    lr = dt * f32(n)
    # Per replica, 2-D products (BLAS sgemm on transposed views; a stacked matmul would not use BLAS).
    for r in range(R):
        xr = x[r]
        y = np.tanh(xr @ tw.T) @ ta / f32(np.sqrt(m))  # [P]
        h = xr @ W[r].T  # [P, n]
        h += b[r]
        a = np.tanh(h, out=h)
        f = a @ c[r] / f32(n)  # [P]
        e = (f - y) / f32(P)  # d loss / d f
        loss[r] = 0.5 * P * float(e @ e)
        gc = (e @ a) / f32(n)  # [n]
        g = np.multiply(a, a)
        np.subtract(f32(1), g, out=g)
        g *= e[:, None]
        g *= c[r] / f32(n)  # [P, n]: d loss / d h
        gW = g.T @ xr  # [n, d]
        gb = g.sum(axis=0)
        W[r] -= lr * gW
        b[r] -= lr * gb
        c[r] -= lr * gc
    return loss


for _ in range(3):
    step()
t0 = time.perf_counter()
cpu0 = time.process_time()
steps = 0
while time.perf_counter() - t0 < args.seconds:
    step()
    steps += 1
elapsed = time.perf_counter() - t0
cpu = time.process_time() - cpu0
print(f"numpy {np.__version__} d={d}, n={n}, P={P}, R={R}, online sgd, tanh, {args.threads} BLAS thread(s): "
      f"{steps / elapsed:.2f} steps/s ({steps} steps; {cpu / steps * 1000:.1f} CPU-ms/step)")
