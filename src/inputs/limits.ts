import { FhekitError } from '../errors.js';
import { type FheType, inputBitsOf } from '../fhevm/fhe-types.js';
import { MAX_INPUT_BITS } from '../fhevm/limits.js';

export interface InputLimits {
  /** Largest accepted serialized list; a 2048-bit list is about 23 KB. */
  maxBytes: number;
  /** The SDK's limit on values per input (and below the coprocessor's 255). */
  maxValues: number;
  /** The CRS capacity: total encrypted bits, counting an ebool as 2 like the SDK. */
  maxBits: number;
}

export const DEFAULT_INPUT_LIMITS: InputLimits = {
  maxBytes: 64 * 1024,
  maxValues: 256,
  maxBits: MAX_INPUT_BITS,
};

export function checkInputSize(byteLength: number, limits: InputLimits): void {
  if (byteLength === 0 || byteLength > limits.maxBytes) {
    throw new FhekitError(
      'INPUT_TOO_LARGE',
      `Input list is ${byteLength} bytes; accepted: 1 to ${limits.maxBytes}.`,
      {
        hint: `Split the values over several inputs (at most ${limits.maxBits} bits each).`,
      },
    );
  }
}

export function checkInputValues(types: readonly FheType[], limits: InputLimits): void {
  if (types.length === 0 || types.length > limits.maxValues) {
    throw new FhekitError(
      'INPUT_TOO_MANY_VALUES',
      `Input has ${types.length} values; accepted: 1 to ${limits.maxValues}.`,
      {
        hint: 'Split the values over several inputs.',
      },
    );
  }
  const bits = types.reduce<number>((sum, type) => sum + inputBitsOf(type), 0);
  if (bits > limits.maxBits) {
    throw new FhekitError(
      'INPUT_TOO_MANY_BITS',
      `Input encrypts ${bits} bits; the CRS proves at most ${limits.maxBits}.`,
      {
        hint: 'Split the values over several inputs.',
      },
    );
  }
}
