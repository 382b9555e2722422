import { readFileSync } from 'node:fs';
import { decodeValue } from '../engine/codec/ciphertext-codec.js';
import { FhekitError } from '../errors.js';
import { FheType, isFheType } from '../fhevm/fhe-types.js';

/** How an operand is written on the command line. */
export type ShellOperand =
  | { kind: 'plain'; value: bigint }
  | { kind: 'file'; path: string }
  /** A 32-byte handle of a ciphertext stored in a running stack. */
  | { kind: 'handle'; handle: `0x${string}` };

export function parseShellOperand(text: string): ShellOperand {
  if (/^0x[0-9a-fA-F]{64}$/.test(text))
    return { kind: 'handle', handle: text.toLowerCase() as `0x${string}` };
  if (/^(0x[0-9a-fA-F]+|\d+)$/.test(text)) return { kind: 'plain', value: BigInt(text) };
  if (text === 'true' || text === 'false') return { kind: 'plain', value: text === 'true' ? 1n : 0n };
  return { kind: 'file', path: text };
}

export function readCiphertextFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new FhekitError(
      'FHE_COMPUTE_OPERAND',
      `Cannot read "${path}": it is neither a number nor a readable file.`,
      {
        hint: 'Operands are integers (42, 0xff, true), ciphertext files from `fhe compute encrypt`, or 32-byte handles.',
        cause,
      },
    );
  }
}

/** The fhEVM type of node-tfhe ciphertext bytes: FheBool, or FheUint with 2 bits per block. */
export function typeOfCiphertext(bytes: Uint8Array): FheType {
  const decoded = decodeValue(bytes);
  if (decoded.kind === 'FheBool') return FheType.Bool;
  const bits = decoded.blocks.length * 2;
  const type = { 8: 2, 16: 3, 32: 4, 64: 5, 128: 6, 160: 7, 256: 8 }[bits];
  if (type === undefined || !isFheType(type)) {
    throw new FhekitError('FHE_COMPUTE_OPERAND', `A ${bits}-bit ciphertext is not an fhEVM type.`, {
      hint: 'Use ciphertexts of ebool, euint8 … euint256 or eaddress.',
    });
  }
  return type;
}
