// Checkpoint <-> bytes (stored as bytea). Layout, little-endian:
//   "MFCK" | u32 version | f64 step | u32 nc | u32 nw | u32 nb | u32 extraBytes |
//   c f32[nc] | w f32[nw] | b f32[nb] | extra (UTF-8 JSON)
// The header is 28 bytes, so the float arrays start 4-byte aligned.
import type { Checkpoint } from './types.ts';

const MAGIC = 0x4b43464d; // "MFCK" read as little-endian u32
const HEADER = 28;

export function encodeCheckpoint(cp: Checkpoint): Uint8Array {
  const extra = new TextEncoder().encode(JSON.stringify(cp.extra ?? {}));
  const floats = cp.c.length + cp.w.length + cp.b.length;
  const bytes = new Uint8Array(HEADER + floats * 4 + extra.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, cp.version, true);
  view.setFloat64(8, cp.step, true);
  view.setUint32(16, cp.c.length, true);
  view.setUint32(20, cp.w.length, true);
  view.setUint32(24, cp.b.length, true);
  let o = HEADER;
  for (const a of [cp.c, cp.w, cp.b]) {
    for (let i = 0; i < a.length; i++, o += 4) view.setFloat32(o, a[i], true);
  }
  bytes.set(extra, o);
  return bytes;
}

export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  if (bytes.length < HEADER) throw new Error('not a checkpoint: too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new Error('not a checkpoint: bad magic');
  const version = view.getUint32(4, true);
  if (version !== 1) throw new Error(`unknown checkpoint version ${version}`);
  const step = view.getFloat64(8, true);
  const lengths = [view.getUint32(16, true), view.getUint32(20, true), view.getUint32(24, true)];
  const end = HEADER + 4 * (lengths[0] + lengths[1] + lengths[2]);
  if (bytes.length < end) throw new Error('truncated checkpoint');
  let o = HEADER;
  const [c, w, b] = lengths.map((len) => {
    const a = new Float32Array(len);
    for (let i = 0; i < len; i++, o += 4) a[i] = view.getFloat32(o, true);
    return a;
  });
  const extra = JSON.parse(new TextDecoder().decode(bytes.subarray(end))) as Record<string, unknown>;
  return { version: 1, step, c, w, b, extra };
}
