// A zip archive written as a stream (the exports): each entry deflated as its content arrives, with
// its CRC and sizes in a data descriptor after it (PKWARE APPNOTE 4.3.9), so no entry is ever held
// whole in memory. Plain zip, not zip64: an archive past 4 GiB - 1 is refused while it is written
// (the stream ends with an error, and the client sees a truncated download, never a corrupt one
// that claims to be complete).
import { createDeflateRaw, crc32 } from 'node:zlib';

const LIMIT = 0xffff_ffff;

export class ZipTooLargeError extends Error {
  constructor() {
    super('the export is over 4 GiB, the most a plain zip holds: export fewer runs');
    this.name = 'ZipTooLargeError';
  }
}

interface Entry { name: Buffer; crc: number; compressed: number; size: number; offset: number }

/** DOS date and time of `d` (local fields as UTC: zip has no zone). */
function dosTime(d: Date): { time: number; date: number } {
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
    date: ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

/** Flags: bit 3, sizes in the data descriptor; bit 11, names in UTF-8. */
const FLAGS = 0x0808;
const DEFLATE = 8;

/**
 * The archive of `entries` (name, then its content as strings or bytes, produced lazily), as
 * Buffers to stream. An entry's content is only read when the archive reaches it.
 */
export async function* zipStream(entries: AsyncIterable<{ name: string; content: AsyncIterable<string | Buffer> }>, now = new Date()): AsyncGenerator<Buffer> {
  const { time, date } = dosTime(now);
  const written: Entry[] = [];
  let offset = 0;
  const advance = (n: number) => {
    offset += n;
    if (offset > LIMIT) throw new ZipTooLargeError();
  };

  for await (const { name, content } of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(FLAGS, 6);
    header.writeUInt16LE(DEFLATE, 8);
    header.writeUInt16LE(time, 10);
    header.writeUInt16LE(date, 12);
    // crc and sizes (14-25) are 0 here: they follow the data.
    header.writeUInt16LE(nameBytes.length, 26);
    header.writeUInt16LE(0, 28);
    const entry: Entry = { name: nameBytes, crc: 0, compressed: 0, size: 0, offset };
    yield header;
    advance(header.length);
    yield nameBytes;
    advance(nameBytes.length);

    // Deflate as the content comes: what the deflater has produced is passed on after each input piece.
    const deflate = createDeflateRaw({ level: 6 });
    const out: Buffer[] = [];
    deflate.on('data', (b: Buffer) => out.push(b));
    const ended = new Promise<void>((resolve, reject) => {
      deflate.on('end', resolve);
      deflate.on('error', reject);
    });
    for await (const piece of content) {
      const bytes = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
      if (bytes.length === 0) continue;
      entry.crc = crc32(bytes, entry.crc);
      entry.size += bytes.length;
      if (entry.size > LIMIT) throw new ZipTooLargeError();
      if (!deflate.write(bytes)) await new Promise((r) => deflate.once('drain', r));
      while (out.length > 0) {
        const b = out.shift()!;
        entry.compressed += b.length;
        advance(b.length);
        yield b;
      }
    }
    deflate.end();
    await ended;
    for (const b of out.splice(0)) {
      entry.compressed += b.length;
      advance(b.length);
      yield b;
    }

    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(entry.crc >>> 0, 4);
    descriptor.writeUInt32LE(entry.compressed, 8);
    descriptor.writeUInt32LE(entry.size, 12);
    yield descriptor;
    advance(descriptor.length);
    written.push(entry);
  }

  const centralStart = offset;
  for (const e of written) {
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4); // made by: 2.0
    c.writeUInt16LE(20, 6); // needed: 2.0 (deflate)
    c.writeUInt16LE(FLAGS, 8);
    c.writeUInt16LE(DEFLATE, 10);
    c.writeUInt16LE(time, 12);
    c.writeUInt16LE(date, 14);
    c.writeUInt32LE(e.crc >>> 0, 16);
    c.writeUInt32LE(e.compressed, 20);
    c.writeUInt32LE(e.size, 24);
    c.writeUInt16LE(e.name.length, 28);
    // extra, comment, disk, internal and external attributes: 0
    c.writeUInt32LE(e.offset, 42);
    yield c;
    advance(c.length);
    yield e.name;
    advance(e.name.length);
  }
  if (written.length > 0xffff) throw new ZipTooLargeError();
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(written.length, 8);
  end.writeUInt16LE(written.length, 10);
  end.writeUInt32LE(offset - centralStart, 12);
  end.writeUInt32LE(centralStart, 16);
  yield end;
}
