import { FheType } from '../../src/fhevm/fhe-types.js';
import { describeMultiProcess } from './multi-process-scenario.js';

describeMultiProcess(FheType.Uint64);
