import type { Block, RadixCiphertext } from './block.js';
import { DELTA_LOG2 } from './params.js';

/**
 * Decryption with the big (GLWE) secret key, for tests and diagnostics: phase = b − <a, s>, decoded
 * as round(phase / Δ) mod 32 — the full space including the padding bit, like tfhe-rs.
 */
export function decryptBlock(block: Block, glweKey: Uint8Array): number {
  return Number(decodePhase(phaseOf(block, glweKey)));
}

/** Signed noise of a block around its decoded value, in bits (log2 |phase − value·Δ|). */
export function noiseBitsOf(block: Block, glweKey: Uint8Array): number {
  const phase = phaseOf(block, glweKey);
  const value = decodePhase(phase);
  let error = (phase - (value << BigInt(DELTA_LOG2))) & MASK64;
  if (error >= 1n << 63n) error = (1n << 64n) - error;
  return error === 0n ? 0 : Math.log2(Number(error));
}

/** Radix recombination Σ block_i · 4^i mod 2^bits (carries included, as tfhe-rs decrypts). */
export function decryptRadix(value: RadixCiphertext, glweKey: Uint8Array, bits: number): bigint {
  let sum = 0n;
  value.blocks.forEach((block, i) => {
    sum += BigInt(decryptBlock(block, glweKey)) << BigInt(2 * i);
  });
  return sum & ((1n << BigInt(bits)) - 1n);
}

const MASK64 = (1n << 64n) - 1n;

function phaseOf(block: Block, glweKey: Uint8Array): bigint {
  const n = glweKey.length;
  let dot = 0n;
  for (let i = 0; i < n; i++) if (glweKey[i] === 1) dot += block.lwe[i]!;
  return (block.lwe[n]! - dot) & MASK64;
}

function decodePhase(phase: bigint): bigint {
  const rounded = (phase + (1n << BigInt(DELTA_LOG2 - 1))) >> BigInt(DELTA_LOG2);
  return rounded & 31n;
}
