import { describe } from 'vitest';
import { FheType } from '../../src/fhevm/fhe-types.js';
import { carryAlgorithmTests } from './carry-algorithms.js';

describe('carry algorithms, euint8 and euint16 (node-tfhe oracle)', () => {
  for (const algorithm of ['sequential', 'parallel'] as const) {
    carryAlgorithmTests(FheType.Uint8, algorithm);
    carryAlgorithmTests(FheType.Uint16, algorithm);
  }
});
