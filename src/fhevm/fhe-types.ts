import { FhekitError } from '../errors.js';

/** fhEVM FheType codes (host-contracts `shared/FheType.sol`); the byte at position 30 of a handle. */
export const FheType = {
  Bool: 0,
  Uint8: 2,
  Uint16: 3,
  Uint32: 4,
  Uint64: 5,
  Uint128: 6,
  Uint160: 7,
  Uint256: 8,
} as const;
export type FheType = (typeof FheType)[keyof typeof FheType];

const BITS: Record<FheType, number> = { 0: 1, 2: 8, 3: 16, 4: 32, 5: 64, 6: 128, 7: 160, 8: 256 };
const NAMES: Record<FheType, string> = {
  0: 'ebool',
  2: 'euint8',
  3: 'euint16',
  4: 'euint32',
  5: 'euint64',
  6: 'euint128',
  7: 'eaddress',
  8: 'euint256',
};

export function isFheType(code: number): code is FheType {
  return Object.hasOwn(BITS, code);
}

/** Plaintext width in bits (1 for Bool). */
export function bitsOf(type: FheType): number {
  return BITS[type];
}

/** Bits a value of this type takes in a proven list or a decryption request (an ebool counts as 2). */
export function inputBitsOf(type: FheType): number {
  return type === FheType.Bool ? 2 : BITS[type];
}

/** Number of 2-bit radix blocks (Bool is one block). */
export function blocksOf(type: FheType): number {
  return type === FheType.Bool ? 1 : BITS[type] / 2;
}

/** Solidity-facing name: ebool, euint8 … euint256, eaddress. */
export function nameOf(type: FheType): string {
  return NAMES[type];
}

/** Parses `euint8`, `uint8`, `8`, `ebool`, `bool`, `eaddress`, or a numeric type code given as `#2`. */
export function parseFheType(text: string): FheType {
  const t = text.trim().toLowerCase().replace(/^e/, '');
  if (t === 'bool') return FheType.Bool;
  if (t === 'address') return FheType.Uint160;
  const bits = Number(t.replace(/^uint/, ''));
  for (const [code, b] of Object.entries(BITS)) {
    if (b === bits && code !== '0') return Number(code) as FheType;
  }
  throw new FhekitError('FHE_UNKNOWN_TYPE', `Unknown FHE type "${text}".`, {
    hint: 'Use one of: ebool, euint8, euint16, euint32, euint64, euint128, eaddress, euint256.',
  });
}
