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

/** Unit outputs A [R, P, n] and, for the backward pass, phi'(H) [R, P, n] (ridge) or null (gaussian). */
function units(net: Network, p: Particles, X: tf.Tensor3D, W: tf.Tensor3D, withDerivative: boolean) {
  const { R, n } = p;
  if (net.unit === 'gaussian') {
    // |x - z|^2 = |x|^2 + |z|^2 - 2 x.z: X [R|1, P, d], W (centres) [R, n, d] -> [R, P, n].
    const xx = tf.sum(tf.square(X), 2, true); // [R|1, P, 1]
    const zz = tf.reshape(tf.sum(tf.square(W), 2), [R, 1, n]);
    const cross = tf.matMul(X, W, false, true);
    const sq = tf.relu(tf.sub(tf.add(xx, zz), tf.mul(cross, 2)));
    const A = tf.exp(tf.mul(sq, -1 / (2 * net.bandwidth * net.bandwidth))) as tf.Tensor3D;
    return { A, dA: null };
  }
  const B = tf.tensor3d(p.b, [R, 1, n]);
  const H = tf.add(tf.matMul(X, W, false, true), B) as tf.Tensor3D; // [R, P, n]
  switch (net.unit) {
    case 'tanh': {
      const A = tf.tanh(H);
      return { A, dA: withDerivative ? tf.sub(1, tf.square(A)) : null };
    }
    case 'sigmoid': {
      const A = tf.sigmoid(H);
      return { A, dA: withDerivative ? tf.mul(A, tf.sub(1, A)) : null };
    }
    case 'relu': {
      const A = tf.relu(H);
      return { A, dA: withDerivative ? tf.step(H) : null };
    }
    case 'erf': {
      const A = tf.erf(H);
      return { A, dA: withDerivative ? tf.mul(tf.exp(tf.neg(tf.square(H))), 2 / Math.sqrt(Math.PI)) : null };
    }
  }
}

function inputs(p: Particles, x: Float32Array, P: number, perReplica: boolean): tf.Tensor3D {
  return tf.tensor3d(x, [perReplica ? p.R : 1, P, p.d]);
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
    const { R, n, d } = p;
    const f = tf.tidy(() => {
      const X = inputs(p, x, P, perReplica);
      const W = tf.tensor3d(p.w, [R, n, d]);
      const { A } = units(net, p, X, W, false);
      const C = tf.tensor3d(p.c, [R, n, 1]);
      return tf.mul(tf.reshape(tf.matMul(A, C), [R, P]), net.scale);
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
    const [loss, c, w, b] = tf.tidy(() => {
      const X = inputs(p, batch.x, P, batch.perReplica);
      const Y = tf.tensor2d(batch.y, [batch.perReplica ? R : 1, P]);
      const W = tf.tensor3d(p.w, [R, n, d]);
      const C = tf.tensor3d(p.c, [R, n, 1]);
      const { A, dA } = units(net, p, X, W, true);
      const F = tf.mul(tf.reshape(tf.matMul(A, C), [R, P]), net.scale);
      const res = tf.sub(F, Y); // [R, P]
      const loss = tf.div(tf.sum(tf.square(res), 1), 2 * P);
      // q_mu = weight_mu (f_mu - y_mu); grad = sum_mu q_mu d f_mu / d theta.
      const q = batch.weights ? tf.mul(res, tf.tensor2d(batch.weights, [R, P])) : tf.mul(res, 1 / P);
      // grad_c [R, n] = alpha sum_mu q_mu a_mu,i
      const gc = tf.mul(tf.reshape(tf.matMul(tf.reshape(q, [R, 1, P]), A), [R, n, 1]), net.scale);
      // alpha c_i, [R, n, 1]: the factor every w and b gradient carries.
      const ac = tf.mul(C, net.scale);
      const G = tf.mul(tf.reshape(q, [R, P, 1]), gaussian ? A : dA!); // [R, P, n]
      const GX = tf.matMul(G, X, true, false); // [R, n, d]
      const gsum = tf.reshape(tf.sum(G, 1), [R, n, 1]);
      let gw: tf.Tensor;
      if (gaussian) {
        // d a_i / d z_i = a_i (x - z_i) / s^2
        gw = tf.mul(tf.sub(GX, tf.mul(W, gsum)), tf.div(ac, net.bandwidth * net.bandwidth));
      } else {
        gw = tf.mul(GX, ac);
      }
      const keep = 1 - size.decay;
      // theta - lr * grad - decay * theta = (1 - decay) theta - lr * grad
      const c = tf.sub(tf.mul(C, keep), tf.mul(gc, size.lr));
      const w = tf.sub(tf.mul(W, keep), tf.mul(gw, size.lr));
      const b = gaussian
        ? tf.zeros([R, n])
        : tf.sub(tf.mul(tf.tensor2d(p.b, [R, n]), keep), tf.mul(tf.reshape(tf.mul(gsum, ac), [R, n]), size.lr));
      return [loss, c, w, b];
    });
    const out = Float64Array.from(loss.dataSync());
    p.c.set(c.dataSync());
    p.w.set(w.dataSync());
    if (!gaussian) p.b.set(b.dataSync());
    tf.dispose([loss, c, w, b]);
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
