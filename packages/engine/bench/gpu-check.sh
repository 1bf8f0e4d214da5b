#!/usr/bin/env bash
# Issue 18's check, on a bare NVIDIA host with CUDA (nvcc, g++) and PyTorch and no Node. First, on a
# machine with the repository installed: `bash packages/engine/bench/gpu-pack.sh` (makes .gpu-carry/).
# Then, with the tree and .gpu-carry/ on the GPU host (the device tool: carry [".gpu-carry"]):
#   OUT=/some/folder bash packages/engine/bench/gpu-check.sh
# Unpacks Node, builds the C++ and CUDA addons with g++ and nvcc (no node-gyp), runs the golden
# cases on cuda (1e-3) and the kernel tests (CUDA against a float64 reference and the C++ kernel),
# then the engine benchmark at d=32, n=16384, P=4096, R=8 next to PyTorch eager and torch.compile on
# the same card. Everything it prints goes to $OUT (default ./gpu-check-out): log.txt, checks.txt,
# engine.txt, pytorch.txt, summary.txt. MFSIM_GPU_DRY=1: the same steps on a machine without a GPU
# (CUDA checks fail there as expected; PyTorch runs on the CPU at the reference size; PYTHON=<a python3
# with torch> when plain python3 has none).
set -uo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"
OUT="${OUT:-$root/gpu-check-out}"
mkdir -p "$OUT"
exec > >(tee -a "$OUT/log.txt") 2>&1
dry="${MFSIM_GPU_DRY:-}"
secs="${BENCH_SECONDS:-5}"
py="${PYTHON:-python3}"  # the one with PyTorch
carry="$root/.gpu-carry"
t0=$(date +%s)
say() { echo "[gpu-check +$(( $(date +%s) - t0 ))s] $*"; }

say "host: $(uname -m), $(nproc) cores; $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo 'no nvidia-smi answer')"
[ -f "$carry/node.tar.xz" ] || { say "missing $carry (run bench/gpu-pack.sh where the repository is installed)"; exit 2; }

# 1. Node
nodedir=/tmp/mfsim-node
mkdir -p "$nodedir" && xz -dc "$carry/node.tar.xz" | tar -x -C "$nodedir"
export PATH="$nodedir/bin:$PATH"
say "node $(node --version)"

# 2. the addons (the flags of native/binding.gyp and native/cuda/binding.gyp)
src="$root/packages/engine/native"
nat=/tmp/mfsim-gpu-check-native  # a folder of its own: never over the addons this machine's workers load
mkdir -p "$nat/build/Release" "$nat/cuda/build/Release" "$nat/build/cuda"
inc=(-I"$carry/node-addon-api" -I"$nodedir/include/node" -DNAPI_VERSION=8 -DNODE_ADDON_API_CPP_EXCEPTIONS)
say "building the C++ addon (g++ -march=native)"
g++ -O3 -std=c++17 -fPIC -shared -fexceptions -fopenmp -ffp-contract=fast -Wno-psabi -march=native "${inc[@]}" \
  "$src"/src/{binding,mfkernel,targets,rng,fdlibm,peak}.cc -o "$nat/build/Release/mfsim_native.node" || say "C++ addon build FAILED"
cuda_home=""
for d in "${CUDA_HOME:-}" "${CUDA_PATH:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v nvcc)")")")" /usr/local/cuda; do
  for l in lib64 targets/x86_64-linux/lib lib; do [ -n "$d" ] && [ -f "$d/$l/libcudart_static.a" ] && { cuda_home="$d"; break 2; }; done
done
arch="${MFSIM_CUDA_ARCH:-90}"
say "building the CUDA addon (nvcc sm_$arch + PTX, CUDA at ${cuda_home:-not found})"
nvcc -O3 -std=c++17 -Xcompiler -fPIC -lineinfo -gencode=arch=compute_$arch,code=sm_$arch -gencode=arch=compute_$arch,code=compute_$arch \
  -c "$src/cuda/kernels.cu" -o "$nat/build/cuda/kernels.o" &&
g++ -O2 -std=c++17 -fPIC -shared -fexceptions "${inc[@]}" -I"$src/src" "$src/cuda/binding_cuda.cc" "$nat/build/cuda/kernels.o" \
  -L"$cuda_home/lib64" -L"$cuda_home/targets/x86_64-linux/lib" -L"$cuda_home/lib" -lcudart_static -ldl -lrt -lpthread \
  -o "$nat/cuda/build/Release/mfsim_cuda.node" || say "CUDA addon build FAILED"
echo '{"native":{"ok":true,"reason":""},"cuda":{"ok":true,"reason":""}}' > "$nat/build/status.json"
export MFSIM_NATIVE_DIR="$nat"

# 3. golden cases on cuda and the kernel tests
say "checks"
node "$carry/checks.mjs" "$root/shared/golden/gd-cases.json" 2>&1 | tee "$OUT/checks.txt"
checks=${PIPESTATUS[0]}

# 4. the engine benchmark at the GPU size, and PyTorch on the same card
say "engine benchmark (--gpu-size)"
kernels=cuda,native
[ -n "$dry" ] && kernels=cuda  # the native kernel at this size takes minutes per step on a small CPU machine
node "$carry/engine-bench.mjs" --gpu-size --kernels="$kernels" --seconds="$secs" 2>&1 | tee "$OUT/engine.txt"
dev=cuda; size=--gpu-size
if [ -n "$dry" ]; then dev=cpu; size=""; fi
: > "$OUT/pytorch.txt"
for mode in eager compile; do
  say "pytorch $mode ($dev)"
  flag=(); [ "$mode" = compile ] && flag=(--compile)
  PYTHONUNBUFFERED=1 timeout 300 "$py" "$root/packages/engine/bench/pytorch_sgd.py" $size --device "$dev" --seconds "$secs" "${flag[@]}" 2>&1 | tail -3 | tee -a "$OUT/pytorch.txt"
done

# 5. summary
ours=$(awk '/^cuda, whole step/ {print $4}' "$OUT/engine.txt")
eager=$(grep -v compile "$OUT/pytorch.txt" | grep -o '[0-9.]* steps/s' | head -1 | cut -d' ' -f1)
comp=$(grep 'compile' "$OUT/pytorch.txt" | grep -o '[0-9.]* steps/s' | head -1 | cut -d' ' -f1)
{
  echo "checks exit code: $checks (0: all passed)"
  echo "cuda kernel: ${ours:-n/a} steps/s; PyTorch eager: ${eager:-n/a}; PyTorch compiled: ${comp:-n/a}"
  if [ -n "$ours" ] && [ -n "$eager" ]; then python3 -c "print(f'cuda / eager: {$ours / $eager:.2f}x (target >= 2)')"; fi
  if [ -n "$ours" ] && [ -n "$comp" ]; then python3 -c "print(f'cuda / compiled: {$ours / $comp:.2f}x (target >= 1)')"; fi
  echo "wall time: $(( $(date +%s) - t0 )) s"
} | tee "$OUT/summary.txt"
