#!/usr/bin/env bash
# The GPU measurement of issue 8, on a host with an NVIDIA GPU, Node 20, nvcc and PyTorch:
#   bash packages/engine/bench/gpu.sh
# Builds the CUDA kernel, runs the golden cases and the kernel tests on it, then the engine
# benchmark at the GPU size next to the same dynamics in PyTorch on the same card, and prints
# the ratio. Prints, never asserts.
set -euo pipefail
cd "$(dirname "$0")/../../.."
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
npm run --silent build:native -w @mfsim/engine
MFSIM_KERNEL=cuda npx vitest run --project @mfsim/engine test/golden.test.ts test/native
ours=$(npx tsx packages/engine/bench/engine.ts --gpu-size --kernels=cuda | tee /dev/stderr | awk '/^cuda/ {print $2}')
torch=$(python3 packages/engine/bench/pytorch_sgd.py --gpu-size --device cuda | tee /dev/stderr | awk '{for (i = 1; i < NF; i++) if ($(i + 1) == "steps/s") print $i}')
python3 -c "print(f'cuda kernel / PyTorch: {float(\"$ours\") / float(\"$torch\"):.2f}x')"
