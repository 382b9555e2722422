import { createCipheriv, randomFillSync } from 'node:crypto';

const CHUNK_WORDS = 1 << 14;

/**
 * TUniform(b) noise from the OS CSPRNG, as tfhe-rs samples it: draw b+2 random bits r and return
 * (r >> 1) + (r & 1) - 2^b, a value in [-2^b, 2^b] whose two endpoints have half the probability.
 * Supports b ≤ 50 so results stay exact doubles.
 */
export class TUniformSampler {
  private readonly words = new Uint32Array(CHUNK_WORDS);
  private next = CHUNK_WORDS;
  private readonly bound: number;
  private readonly highMask: number;

  constructor(private readonly boundLog2: number) {
    if (boundLog2 > 50) throw new RangeError('TUniform bound too large for exact doubles');
    this.bound = 2 ** boundLog2;
    const bits = boundLog2 + 2;
    this.highMask = bits > 32 ? 2 ** (bits - 32) - 1 : 0;
  }

  sample(): number {
    let r: number;
    if (this.boundLog2 + 2 <= 32) {
      r = this.word() >>> (30 - this.boundLog2);
      return (r >>> 1) + (r & 1) - this.bound;
    }
    const low = this.word();
    const high = this.word() & this.highMask;
    return high * 2 ** 31 + (low >>> 1) + (low & 1) - this.bound;
  }

  private word(): number {
    if (this.next === CHUNK_WORDS) {
      randomFillSync(this.words);
      this.next = 0;
    }
    return this.words[this.next++]!;
  }
}

/** 16 fresh random bytes from the OS CSPRNG (seeds for public, uniformly random masks). */
export function randomSeed(): Uint8Array {
  return randomFillSync(new Uint8Array(16));
}

/**
 * Expands a public seed into `count` uniformly random u64 values (AES-128-CTR keystream), so keys can be
 * stored as seed + bodies and rebuilt identically. `stream` separates independent uses of one seed.
 */
export function expandSeed(seed: Uint8Array, stream: number, count: number): BigUint64Array {
  const iv = new Uint8Array(16);
  new DataView(iv.buffer).setUint32(0, stream, false);
  const cipher = createCipheriv('aes-128-ctr', seed, iv);
  const out = new BigUint64Array(count);
  const bytes = new Uint8Array(out.buffer);
  const block = 1 << 20;
  for (let off = 0; off < bytes.length; off += block) {
    const end = Math.min(bytes.length, off + block);
    bytes.set(cipher.update(bytes.subarray(off, end)), off);
  }
  return out;
}
