import { describe } from 'vitest';
import { FheType, nameOf } from '../../src/fhevm/fhe-types.js';
import { carryAlgorithmTests } from './carry-algorithms.js';

/** Opt-in (`npm run test:wide`): both carry algorithms forced, on the widths that have add and sub. */
const SLOW = 1_800_000;
for (const type of [FheType.Uint32, FheType.Uint64, FheType.Uint128] as const) {
  describe(`carry algorithms, ${nameOf(type)} (node-tfhe oracle)`, () => {
    for (const algorithm of ['sequential', 'parallel'] as const) {
      // Full-width mul is thousands of PBS from 64 bits on.
      carryAlgorithmTests(type, algorithm, { mul: type === FheType.Uint32, timeout: SLOW });
    }
  });
}
