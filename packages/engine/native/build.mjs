#!/usr/bin/env node
// Builds the native kernel addons with node-gyp:
//   build/Release/mfsim_native.node        C++ (OpenMP, SIMD), always attempted: AVX2+FMA on x86-64
//   build/Release/mfsim_native_avx512.node the same for AVX-512 CPUs (src/kernels/native.ts picks by CPU)
//   cuda/build/Release/mfsim_cuda.node    CUDA (sm_90 + PTX), only when nvcc is found
// It never fails an install or a test run: when a compiler is missing or a build fails it prints a
// warning, records the reason in build/status.json (read by loadNativeKernel/loadCudaKernel) and
// exits 0. Fast when up to date: a stamp of the sources, compilers and flags is kept in status.json.
// Options: --force (rebuild), --no-cuda. Env: CXX, NVCC, CUDA_HOME, MFSIM_MARCH (both
// builds with these flags, e.g. -march=native on a developer's machine; default: portable, x86-64-v3
// and x86-64-v4 on x86-64, so an image runs on any AVX2 or AVX-512 host; -march=native elsewhere),
// MFSIM_CUDA_ARCH (default 90).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const args = new Set(process.argv.slice(2));
const statusFile = join(here, 'build', 'status.json');
const nativeOut = join(here, 'build', 'Release', 'mfsim_native.node');
const cudaDir = join(here, 'cuda');
const cudaOut = join(cudaDir, 'build', 'Release', 'mfsim_cuda.node');

const log = (msg) => console.log(`[mfsim native] ${msg}`);
const warn = (msg) => console.warn(`[mfsim native] warning: ${msg}`);

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  return { ok: r.status === 0 && !r.error, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, error: r.error };
}
function which(cmd) {
  const r = run('sh', ['-c', `command -v "${cmd}"`]);
  return r.ok ? r.out.trim() : null;
}
function tail(text, lines = 15) {
  return text.trim().split('\n').slice(-lines).join('\n');
}
function firstError(text) {
  const lines = text.split('\n');
  const line =
    lines.find((l) => /(error:|cannot find|undefined reference|fatal)/i.test(l) && !/collect2|gyp ERR/.test(l)) ??
    lines.find((l) => /error/i.test(l));
  return (line ?? tail(text, 3)).trim().slice(0, 400);
}

function sourcesStamp(extra) {
  const h = createHash('sha256');
  const files = ['binding.gyp', 'build.mjs'];
  for (const dir of ['src', 'cuda']) {
    if (!existsSync(join(here, dir))) continue;
    for (const f of readdirSync(join(here, dir)).sort()) {
      if (/\.(cc|h|cu|cuh|gyp)$/.test(f)) files.push(join(dir, f));
    }
  }
  for (const f of files) h.update(f).update(readFileSync(join(here, f)));
  h.update(JSON.stringify(extra));
  return h.digest('hex').slice(0, 16);
}

function readStatus() {
  try {
    return JSON.parse(readFileSync(statusFile, 'utf8'));
  } catch {
    return null;
  }
}
function writeStatus(s) {
  mkdirSync(dirname(statusFile), { recursive: true });
  writeFileSync(statusFile, JSON.stringify(s, null, 2) + '\n');
}

function nodedir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = dirname(dirname(process.execPath));
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) return prefix;
  return null; // node-gyp would try to download headers
}

// One build at a time on this machine: `npm test` and `npm start` call this script too, and two
// node-gyp runs in one build folder break each other. The lock is taken here, so every caller waits.
if (!process.env.MFSIM_NATIVE_BUILD_LOCKED && which('flock')) {
  const lock = join(os.tmpdir(), 'mfsim-native-build.lock');
  const r = spawnSync('flock', [lock, process.execPath, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, MFSIM_NATIVE_BUILD_LOCKED: '1' },
  });
  process.exit(r.status ?? 0);
}

const cxx = process.env.CXX || 'g++';
const cxxPath = which(cxx);
const nvcc =
  process.env.NVCC ||
  which('nvcc') ||
  [process.env.CUDA_HOME, '/usr/local/cuda'].filter(Boolean).map((d) => join(d, 'bin', 'nvcc')).find((p) => existsSync(p)) ||
  null;
const wantCuda = !args.has('--no-cuda') && !!nvcc;
const cudaArch = process.env.MFSIM_CUDA_ARCH || '90';
const march = process.env.MFSIM_MARCH || (process.arch === 'x64' ? 'x86-64-v3 + x86-64-v4' : '-march=native');
const stamp = sourcesStamp({ cxxPath, nvcc: wantCuda ? nvcc : null, march, cudaArch, node: process.versions.node, modules: process.versions.modules });

const prev = readStatus();
if (!args.has('--force') && prev && prev.stamp === stamp && (!prev.native.ok || existsSync(nativeOut)) && (!prev.cuda.ok || existsSync(cudaOut))) {
  log(`up to date (native: ${prev.native.ok ? 'built' : prev.native.reason}; cuda: ${prev.cuda.ok ? 'built' : prev.cuda.reason})`);
  process.exit(0);
}

let gyp;
try {
  gyp = require.resolve('node-gyp/bin/node-gyp.js');
} catch {
  gyp = null;
}
const ndir = nodedir();
const jobs = String(Math.max(1, Math.min(8, os.availableParallelism?.() ?? os.cpus().length)));

function gypRebuild(dir, env) {
  const argv = [gyp, 'rebuild', '--directory', dir, '--jobs', jobs];
  if (ndir) argv.push(`--nodedir=${ndir}`);
  return run(process.execPath, argv, { env: { ...process.env, ...env } });
}

const status = { stamp, builtAt: new Date().toISOString(), native: { ok: false, reason: '' }, cuda: { ok: false, reason: '' } };

// C++ addon
if (!cxxPath) status.native.reason = `no C++ compiler (${cxx}) on PATH`;
else if (!gyp) status.native.reason = 'node-gyp is not installed (npm install in the repository root)';
else if (!which('make')) status.native.reason = 'make is not on PATH';
else {
  log(`building mfsim_native.node with node-gyp (${cxx}, ${march}, OpenMP)...`);
  const t0 = Date.now();
  const r = gypRebuild(here, process.env.MFSIM_MARCH ? { MFSIM_MARCH: process.env.MFSIM_MARCH } : {});
  if (r.ok && existsSync(nativeOut)) {
    status.native = { ok: true, reason: '' };
    log(`built ${nativeOut} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } else {
    status.native.reason = `node-gyp build failed: ${firstError(r.out)}`;
    warn(`${status.native.reason}\n${tail(r.out)}`);
  }
}

// CUDA addon
if (!wantCuda) status.cuda.reason = args.has('--no-cuda') ? 'CUDA build disabled (--no-cuda)' : 'nvcc not found (no CUDA toolkit)';
else if (!cxxPath || !gyp) status.cuda.reason = status.native.reason || 'no C++ toolchain';
else {
  const hasCudart = (d) => ['lib64', 'targets/x86_64-linux/lib', 'targets/sbsa-linux/lib', 'lib'].some((l) => existsSync(join(d, l, 'libcudart_static.a')));
  const cudaHome =
    [process.env.CUDA_HOME, process.env.CUDA_PATH, dirname(dirname(realpathSync(nvcc))), '/usr/local/cuda'].filter(Boolean).find((d) => hasCudart(d)) ??
    dirname(dirname(nvcc));
  const objDir = join(here, 'build', 'cuda');
  mkdirSync(objDir, { recursive: true });
  const obj = join(objDir, 'mfsim_cuda_kernels.o');
  log(`compiling CUDA kernels with ${nvcc} (sm_${cudaArch} + compute_${cudaArch} PTX)...`);
  const t0 = Date.now();
  const nv = run(nvcc, [
    '-O3', '-std=c++17', '-Xcompiler', '-fPIC', '-lineinfo',
    `-gencode=arch=compute_${cudaArch},code=sm_${cudaArch}`,
    `-gencode=arch=compute_${cudaArch},code=compute_${cudaArch}`,
    '-c', join(cudaDir, 'kernels.cu'), '-o', obj,
  ]);
  if (!nv.ok) {
    status.cuda.reason = `nvcc failed: ${firstError(nv.out)}`;
    warn(`${status.cuda.reason}\n${tail(nv.out)}`);
  } else {
    const r = gypRebuild(cudaDir, { MFSIM_CUDA_OBJ: obj, MFSIM_CUDA_HOME: cudaHome });
    if (r.ok && existsSync(cudaOut)) {
      status.cuda = { ok: true, reason: '' };
      log(`built ${cudaOut} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } else {
      status.cuda.reason = `node-gyp build of the CUDA addon failed: ${firstError(r.out)}`;
      warn(`${status.cuda.reason}\n${tail(r.out)}`);
    }
  }
}

writeStatus(status);
if (!status.native.ok) warn(`the native kernel is unavailable: ${status.native.reason}`);
process.exit(0);
