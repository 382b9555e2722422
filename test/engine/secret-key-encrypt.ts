import { randomBytes } from 'node:crypto';
import type { Block } from '../../src/engine/block.js';
import { BIG_LWE_SIZE, DELTA } from '../../src/engine/params.js';

const MASK64 = (1n << 64n) - 1n;

/** Test-only secret-key encryption of a block value (0..15) under the big key, TUniform(17) noise. */
export function encryptBlock(value: number, glweKey: Uint8Array): Block {
  const lwe = new BigUint64Array(BIG_LWE_SIZE);
  const random = randomBytes(8 * (BIG_LWE_SIZE - 1) + 4);
  lwe.set(new BigUint64Array(random.buffer, random.byteOffset, BIG_LWE_SIZE - 1));
  let dot = 0n;
  for (let i = 0; i < glweKey.length; i++) if (glweKey[i] === 1) dot += lwe[i]!;
  const r = random.readUInt32LE(8 * (BIG_LWE_SIZE - 1)) >>> 13; // 19 bits
  const noise = BigInt((r >>> 1) + (r & 1) - 2 ** 17);
  lwe[BIG_LWE_SIZE - 1] = (dot + noise + BigInt(value) * DELTA) & MASK64;
  return { lwe, degree: value, noiseLevel: 1 };
}
