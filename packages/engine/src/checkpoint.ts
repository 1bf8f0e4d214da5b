// Checkpoint <-> bytes (stored as bytea). Layout, little-endian:
//   v1: "MFCK" | u32 1 | f64 step | u32 nc | u32 nw | u32 nb | u32 extraBytes |
//       c f32[nc] | w f32[nw] | b f32[nb] | extra (UTF-8 JSON)
//   v2: the same, with the run's identity after the 28-byte header:
//       simulation id (16 bytes, the UUID) | spec hash (32 bytes, SHA-256 of the spec and seed)
// Headers are 28 and 76 bytes, so the float arrays start 4-byte aligned. A v2 checkpoint is refused
// (CheckpointMismatchError) when loaded for another simulation, another spec or at another step:
// particles of one run can never become another run's state.
import { createHash } from 'node:crypto';
import type { Checkpoint } from './types.ts';

const MAGIC = 0x4b43464d; // "MFCK" read as little-endian u32
const HEADER = 28;
const IDENTITY = 48;

/** Whose state a checkpoint is: the simulation and the hash of what it runs (specHash). */
export interface CheckpointIdentity {
  simulationId: string;
  specHash: string;
}

export class CheckpointMismatchError extends Error {
  constructor(message: string) {
    super(`checkpoint refused: ${message}`);
    this.name = 'CheckpointMismatchError';
  }
}

/** JSON with object keys sorted at every level: the same spec gives the same text whatever its key order (jsonb reorders). */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** SHA-256 (hex) of a spec and seed, independent of key order. */
export function specHash(spec: unknown, seed: number | bigint | string): string {
  return createHash('sha256').update(canonicalJson({ spec, seed: String(seed) })).digest('hex');
}

const uuidBytes = (id: string) => {
  const hex = id.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`not a simulation id: ${id}`);
  return Buffer.from(hex, 'hex');
};
const bytesUuid = (b: Uint8Array) => {
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

export function encodeCheckpoint(cp: Checkpoint, identity?: CheckpointIdentity): Uint8Array {
  const extra = new TextEncoder().encode(JSON.stringify(cp.extra ?? {}));
  const floats = cp.c.length + cp.w.length + cp.b.length;
  const header = HEADER + (identity ? IDENTITY : 0);
  const bytes = new Uint8Array(header + floats * 4 + extra.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, identity ? 2 : 1, true);
  view.setFloat64(8, cp.step, true);
  view.setUint32(16, cp.c.length, true);
  view.setUint32(20, cp.w.length, true);
  view.setUint32(24, cp.b.length, true);
  if (identity) {
    bytes.set(uuidBytes(identity.simulationId), HEADER);
    bytes.set(Buffer.from(identity.specHash, 'hex').subarray(0, 32), HEADER + 16);
  }
  // Little-endian float32 in place (every machine we run on is little-endian; the header is 4-aligned).
  const out = new Float32Array(bytes.buffer, header, floats);
  out.set(cp.c, 0);
  out.set(cp.w, cp.c.length);
  out.set(cp.b, cp.c.length + cp.w.length);
  bytes.set(extra, header + floats * 4);
  return bytes;
}

/** The header of a checkpoint: its step and, for v2, whose it is. Cheap (reads 76 bytes). */
export function checkpointHeader(bytes: Uint8Array): { version: number; step: number; identity?: CheckpointIdentity } {
  if (bytes.length < HEADER) throw new Error('not a checkpoint: too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new Error('not a checkpoint: bad magic');
  const version = view.getUint32(4, true);
  if (version !== 1 && version !== 2) throw new Error(`unknown checkpoint version ${version}`);
  const step = view.getFloat64(8, true);
  if (version === 1) return { version, step };
  if (bytes.length < HEADER + IDENTITY) throw new Error('truncated checkpoint');
  return {
    version,
    step,
    identity: {
      simulationId: bytesUuid(bytes.subarray(HEADER, HEADER + 16)),
      specHash: Buffer.from(bytes.subarray(HEADER + 16, HEADER + IDENTITY)).toString('hex'),
    },
  };
}

/**
 * Throws CheckpointMismatchError unless the checkpoint carries `expected`'s identity (and, when
 * given, is at step `step`). A v1 checkpoint carries no identity and is refused too.
 */
export function verifyCheckpoint(bytes: Uint8Array, expected: CheckpointIdentity, step?: number): void {
  const h = checkpointHeader(bytes);
  if (!h.identity) throw new CheckpointMismatchError('it records no simulation id (format v1)');
  if (h.identity.simulationId !== expected.simulationId.toLowerCase()) {
    throw new CheckpointMismatchError(`it belongs to simulation ${h.identity.simulationId}, not ${expected.simulationId}`);
  }
  if (h.identity.specHash !== expected.specHash) throw new CheckpointMismatchError('it was computed for another spec or seed');
  if (step !== undefined && h.step !== step) throw new CheckpointMismatchError(`it is at step ${h.step}, not ${step}`);
}

/** The engine state; with `expected`, only after verifyCheckpoint accepts it. */
export function decodeCheckpoint(bytes: Uint8Array, expected?: CheckpointIdentity): Checkpoint {
  if (expected) verifyCheckpoint(bytes, expected);
  const { version, step } = checkpointHeader(bytes);
  const header = HEADER + (version === 2 ? IDENTITY : 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengths = [view.getUint32(16, true), view.getUint32(20, true), view.getUint32(24, true)];
  const end = header + 4 * (lengths[0] + lengths[1] + lengths[2]);
  if (bytes.length < end) throw new Error('truncated checkpoint');
  // One copy into an aligned buffer (the bytes from pg or a message need not be 4-aligned).
  const floats = new Float32Array(lengths[0] + lengths[1] + lengths[2]);
  new Uint8Array(floats.buffer).set(bytes.subarray(header, end));
  const c = floats.slice(0, lengths[0]);
  const w = floats.slice(lengths[0], lengths[0] + lengths[1]);
  const b = floats.slice(lengths[0] + lengths[1]);
  const extra = JSON.parse(new TextDecoder().decode(bytes.subarray(end))) as Record<string, unknown>;
  return { version: 1, step, c, w, b, extra };
}
