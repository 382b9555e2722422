import { type Hex, isHex, toHex } from 'viem';
import { FhekitError } from '../errors.js';
import { parseHandle } from '../fhevm/handles.js';
import { FhevmType } from './fhevm-types.js';

/** A bytes32 hex handle (Uint8Array accepted), optionally of the type the caller expects. */
export function checkHandle(handle: string | Uint8Array, expected?: FhevmType): Hex {
  const hex = typeof handle === 'string' ? handle : toHex(handle);
  if (!isHex(hex) || hex.length !== 66) {
    throw new FhekitError('FHE_HANDLE_MALFORMED', `Not a bytes32 handle: '${hex}'.`, {
      hint: 'Pass the handle a contract returned (a 0x-prefixed 32-byte hex string).',
    });
  }
  if (expected !== undefined && BigInt(hex) !== 0n) {
    const { type } = parseHandle(hex);
    if (type !== expected) {
      throw new FhekitError(
        'FHE_HANDLE_TYPE_MISMATCH',
        `Handle ${hex} holds a ${FhevmType[type] ?? `type ${type}`}, not a ${FhevmType[expected]}.`,
        {
          hint: 'Decrypt it with the helper of its type (userDecryptEbool, userDecryptEuint(FhevmType.euintN, …), …).',
        },
      );
    }
  }
  return hex.toLowerCase() as Hex;
}
