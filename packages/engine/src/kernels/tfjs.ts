// The TensorFlow.js kernel: forward and the analytic backward pass written with tfjs ops,
// batched over replicas ([R, P, n] activations). Backends: `wasm` (SIMD, one thread in Node),
// `cpu` (plain JS), or `tensorflow` when @tensorflow/tfjs-node(-gpu) can be imported (optional,
// never a dependency).
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Batch, Kernel, Network, Particles, StepSize } from '../kernel.ts';

export type TfjsBackend = 'wasm' | 'cpu' | 'tensorflow';

const ready = new Map<TfjsBackend, Promise<void>>();

async function initBackend(backend: TfjsBackend): Promise<void> {
  // Production mode: no debug checks, and no console advice to install tfjs-node.
  tf.env().set('PROD', true);
  if (backend === 'cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
  } else if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // In Node the .wasm binaries are read from the package's dist folder.
    const require = createRequire(import.meta.url);
    const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    wasm.setWasmPaths(dist);
  } else {
    // Names in variables so that bundlers and type checkers do not require the packages.
    const candidates = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];
    const errors: string[] = [];
    let loaded = false;
    for (const name of candidates) {
      try {
        await import(name);
        loaded = true;
        break;
      } catch (e) {
        errors.push(`${name}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    if (!loaded) throw new Error(`no TensorFlow binding can be loaded (${errors.join('; ')})`);
  }
  const previous = tf.getBackend();
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend "${backend}" failed to initialise`);
  // Leave the global backend as it was; each call selects its own (see use()).
  if (previous && previous !== backend) await tf.setBackend(previous);
}

/** Selects an initialised backend synchronously (setBackend does not wait once it is registered). */
function use(backend: TfjsBackend): void {
  if (tf.getBackend() !== backend) void tf.setBackend(backend);
}

// Layout: one replica at a time, every product a 2-D matmul without transposed operands: that is
// the path tfjs-wasm hands to XNNPACK (measured here: [1024, 32] x [32, 4096] takes 17 ms as a plain
// 2-D product, 130 ms as a batched or transposed one). Weights are kept as W^T [d, n].
// tanh is evaluated as 2 sigmoid(2h) - 1 (tfjs-wasm's tanh is 4x slower than its sigmoid), with the
// factor 2 folded into W^T and b and the -1 into sums: f = alpha (2 S c - sum c).

interface Units {
  /** Unit outputs for the forward: A [P, n]; for tanh, S = sigmoid(2h) (then A = 2S - 1). */
  A: tf.Tensor2D;
  /** phi'(h) [P, n] (ridge units; for tanh 4 S (1 - S)), only when asked. */
  dA: tf.Tensor2D | null;
}

/** x: [P, d], xt: x^T [d, P] (or null), wt: W^T [d, n], b: [1, n] -> unit outputs [P, n]. */
function units(net: Network, x: tf.Tensor2D, wt: tf.Tensor2D, b: tf.Tensor2D, withDerivative: boolean): Units {
  if (net.unit === 'gaussian') {
    // |x - z|^2 = |x|^2 + |z|^2 - 2 x.z
    const xx = tf.sum(tf.square(x), 1, true); // [P, 1]
    const zz = tf.sum(tf.square(wt), 0, true); // [1, n]
    const sq = tf.relu(tf.sub(tf.add(xx, zz), tf.mul(tf.matMul(x, wt), 2)));
    return { A: tf.exp(tf.mul(sq, -1 / (2 * net.bandwidth * net.bandwidth))) as tf.Tensor2D, dA: null };
  }
  if (net.unit === 'tanh') {
    const S = tf.sigmoid(tf.add(tf.matMul(x, tf.mul(wt, 2)), tf.mul(b, 2))) as tf.Tensor2D;
    return { A: S, dA: withDerivative ? (tf.mul(tf.mul(S, tf.sub(1, S)), 4) as tf.Tensor2D) : null };
  }
  const H = tf.add(tf.matMul(x, wt), b) as tf.Tensor2D;
  switch (net.unit) {
    case 'sigmoid': {
      const A = tf.sigmoid(H) as tf.Tensor2D;
      return { A, dA: withDerivative ? (tf.mul(A, tf.sub(1, A)) as tf.Tensor2D) : null };
    }
    case 'relu':
      return { A: tf.relu(H), dA: withDerivative ? (tf.step(H) as tf.Tensor2D) : null };
    case 'erf':
      return { A: tf.erf(H), dA: withDerivative ? (tf.mul(tf.exp(tf.neg(tf.square(H))), 2 / Math.sqrt(Math.PI)) as tf.Tensor2D) : null };
    case 'ramp': {
      // s1 at or below t1, s2 at or above t2 (exactly), linear between; phi' = slope strictly inside.
      if (!net.ramp) throw new Error('the ramp unit needs its parameters {s1, s2, t1, t2}');
      const { s1, s2, t1, t2 } = net.ramp;
      const slope = (s2 - s1) / (t2 - t1);
      const lin = tf.add(tf.mul(tf.sub(H, t1), slope), s1);
      const A = tf.where(tf.lessEqual(H, t1), tf.fill(H.shape, s1), tf.where(tf.greaterEqual(H, t2), tf.fill(H.shape, s2), lin)) as tf.Tensor2D;
      const inside = tf.logicalAnd(tf.greater(H, t1), tf.less(H, t2));
      return { A, dA: withDerivative ? (tf.mul(tf.cast(inside, 'float32'), slope) as tf.Tensor2D) : null };
    }
  }
}

/** f [P, 1] = alpha sum_i c_i a_i from units(); c: [n, 1]. */
function outputs(net: Network, A: tf.Tensor2D, c: tf.Tensor2D): tf.Tensor2D {
  if (net.unit === 'tanh') return tf.mul(tf.sub(tf.mul(tf.matMul(A, c), 2), tf.sum(c)), net.scale);
  return tf.mul(tf.matMul(A, c), net.scale);
}

/** Replica r's residual f - y [P, 1] on the batch, and q = weight * residual (weights absent: 1/P). */
function weightedResidual(net: Network, batch: Batch, r: number, A: tf.Tensor2D, c: tf.Tensor2D) {
  const { P } = batch;
  const y = batch.perReplica ? batch.y.subarray(r * P, (r + 1) * P) : batch.y;
  const res = tf.sub(outputs(net, A, c), tf.tensor2d(y, [P, 1]));
  const q = batch.weights ? tf.mul(res, tf.tensor2d(batch.weights.subarray(r * P, (r + 1) * P), [P, 1])) : tf.mul(res, 1 / P);
  return { res, q };
}

/** sum_mu q_mu phi_i(x_mu), [1, n], from units() (tanh: 2 q^T S - sum q). */
function unitSums(net: Network, q: tf.Tensor, A: tf.Tensor2D): tf.Tensor {
  const s = tf.matMul(tf.reshape(q, [1, -1]), A);
  return net.unit === 'tanh' ? tf.sub(tf.mul(s, 2), tf.sum(q)) : s;
}

/** Replica r's slices of the particles as tensors: W^T [d, n], b [1, n], c [n, 1]. */
function replica(p: Particles, r: number) {
  const { n, d } = p;
  return {
    wt: tf.transpose(tf.tensor2d(p.w.subarray(r * n * d, (r + 1) * n * d), [n, d])) as tf.Tensor2D,
    b: tf.tensor2d(p.b.subarray(r * n, (r + 1) * n), [1, n]),
    c: tf.tensor2d(p.c.subarray(r * n, (r + 1) * n), [n, 1]),
  };
}

class TfjsKernel implements Kernel {
  readonly name: string;
  readonly device: string;

  constructor(private readonly backend: TfjsBackend) {
    this.name = `tfjs-${backend}`;
    this.device = backend === 'wasm' ? 'TensorFlow.js WebAssembly (SIMD), one thread'
      : backend === 'cpu' ? 'TensorFlow.js plain JavaScript, one thread'
      : 'TensorFlow.js with libtensorflow';
  }

  // x: [P, d] or [R, P, d] -> f: [R, P]
  forward(net: Network, p: Particles, x: Float32Array, P: number, perReplica: boolean): Float32Array {
    use(this.backend);
    const { R, d } = p;
    const f = tf.tidy(() => {
      const shared = perReplica ? null : tf.tensor2d(x, [P, d]);
      const rows: tf.Tensor[] = [];
      for (let r = 0; r < R; r++) {
        const X = shared ?? tf.tensor2d(x.subarray(r * P * d, (r + 1) * P * d), [P, d]);
        const { wt, b, c } = replica(p, r);
        rows.push(tf.reshape(outputs(net, units(net, X, wt, b, false).A, c), [1, P]));
      }
      return tf.concat(rows, 0);
    });
    const out = f.dataSync() as Float32Array;
    f.dispose();
    return out;
  }

  step(net: Network, p: Particles, batch: Batch, size: StepSize): Float64Array {
    use(this.backend);
    const { R, n, d } = p;
    const { P } = batch;
    const gaussian = net.unit === 'gaussian';
    const keep = 1 - size.decay;
    const [loss, c, w, b] = tf.tidy(() => {
      const shared = batch.perReplica ? null : tf.tensor2d(batch.x, [P, d]);
      const sharedT = shared ? tf.transpose(shared) : null;
      const ones = tf.ones([1, P]);
      const losses: tf.Tensor[] = [];
      const cs: tf.Tensor[] = [];
      const ws: tf.Tensor[] = [];
      const bs: tf.Tensor[] = [];
      for (let r = 0; r < R; r++) {
        const X = shared ?? tf.tensor2d(batch.x.subarray(r * P * d, (r + 1) * P * d), [P, d]);
        const XT = sharedT ?? tf.transpose(X); // [d, P]
        const { wt, b: br, c: cr } = replica(p, r);
        const { A, dA } = units(net, X, wt, br, true);
        // q_mu = weight_mu (f_mu - y_mu); grad = sum_mu q_mu d f_mu / d theta.
        const { res, q } = weightedResidual(net, batch, r, A, cr);
        losses.push(tf.reshape(tf.div(tf.sum(tf.square(res)), 2 * P), [1]));
        // grad_c^T [1, n] = alpha q^T A (tanh: alpha (2 q^T S - sum q))
        const gcT = tf.mul(unitSums(net, q, A), net.scale);
        const acT = tf.mul(tf.reshape(cr, [1, n]), net.scale); // alpha c_i, [1, n]
        const G = tf.mul(gaussian ? A : dA!, q); // [P, n]
        const gxT = tf.matMul(XT, G); // sum_mu G_mu,i x_mu: [d, n]
        const gsum = tf.matMul(ones, G); // [1, n]
        const gwT = gaussian
          ? tf.mul(tf.sub(gxT, tf.mul(wt, gsum)), tf.div(acT, net.bandwidth * net.bandwidth)) // a_i (x - z_i) / s^2
          : tf.mul(gxT, acT);
        // theta - lr * grad - decay * theta = (1 - decay) theta - lr * grad
        cs.push(tf.sub(tf.mul(tf.reshape(cr, [1, n]), keep), tf.mul(gcT, size.lr)));
        ws.push(tf.transpose(tf.sub(tf.mul(wt, keep), tf.mul(gwT, size.lr))));
        if (!gaussian) bs.push(tf.sub(tf.mul(br, keep), tf.mul(tf.mul(gsum, acT), size.lr)));
      }
      return [tf.concat(losses), tf.concat(cs, 0), tf.concat(ws, 0), gaussian ? tf.zeros([1]) : tf.concat(bs, 0)];
    });
    const out = Float64Array.from(loss.dataSync());
    p.c.set(c.dataSync());
    p.w.set(w.dataSync());
    if (!gaussian) p.b.set(b.dataSync());
    tf.dispose([loss, c, w, b]);
    return out;
  }

  /** Birth-death potentials V_i = c_i sum_mu weight_mu (f_mu - y_mu) phi(x_mu; theta_i), [R, n] (Kernel.potentials). */
  potentials(net: Network, p: Particles, batch: Batch): Float64Array {
    use(this.backend);
    const { R, n, d } = p;
    const { P } = batch;
    const v = tf.tidy(() => {
      const shared = batch.perReplica ? null : tf.tensor2d(batch.x, [P, d]);
      const rows: tf.Tensor[] = [];
      for (let r = 0; r < R; r++) {
        const X = shared ?? tf.tensor2d(batch.x.subarray(r * P * d, (r + 1) * P * d), [P, d]);
        const { wt, b, c } = replica(p, r);
        const { A } = units(net, X, wt, b, false);
        const { q } = weightedResidual(net, batch, r, A, c);
        rows.push(tf.mul(unitSums(net, q, A), tf.reshape(c, [1, n])));
      }
      return tf.concat(rows, 0);
    });
    const out = Float64Array.from(v.dataSync());
    v.dispose();
    return out;
  }
}

/** A tfjs kernel on the given backend; rejects with the reason when the backend cannot start. */
export async function loadTfjsKernel(backend: TfjsBackend = 'wasm'): Promise<Kernel> {
  let init = ready.get(backend);
  if (!init) {
    init = initBackend(backend);
    ready.set(backend, init);
    init.catch(() => ready.delete(backend));
  }
  await init;
  return new TfjsKernel(backend);
}
