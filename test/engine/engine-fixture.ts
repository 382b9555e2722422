import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TfheClientKey } from 'node-tfhe';
import { decodeValue } from '../../src/engine/codec/ciphertext-codec.js';
import { type ClientSecretKeys, decodeClientKey } from '../../src/engine/codec/client-key-codec.js';
import { createEvaluator, type Evaluator } from '../../src/engine/create-evaluator.js';
import { decryptRadix } from '../../src/engine/decrypt.js';
import {
  type EvaluationKeys,
  generateEvaluationKeys,
  loadEvaluationKeys,
} from '../../src/engine/evaluation-keys.js';
import type { FhevmOperand } from '../../src/engine/evaluator.js';
import { bitsOf, type FheType } from '../../src/fhevm/fhe-types.js';
import { SERIALIZATION_LIMIT } from '../../src/fhevm/limits.js';
import type { FheOp } from '../../src/fhevm/operations.js';
import { decryptWithClientKey, encryptWithClientKey } from '../../src/tfhe/client-ciphertexts.js';
import { TEST_KEYS_DIR } from '../test-keys.js';

const ENGINE_CACHE_DIR = fileURLToPath(new URL('../../.cache/engine-test', import.meta.url));

export interface EngineFixture {
  clientKey: TfheClientKey;
  secretKeys: ClientSecretKeys;
  evaluationKeys: EvaluationKeys;
  evaluator: Evaluator;
}

let fixture: EngineFixture | undefined;

/**
 * The test keyset's client key, plus evaluation keys: the keyset's `eval-keys.bin` when the keyset
 * module wrote one, else generated once per client key and cached under .cache/engine-test.
 */
export function engineFixture(): EngineFixture {
  if (fixture) return fixture;
  const clientKeyBytes = readFileSync(join(TEST_KEYS_DIR, 'client-key.bin'));
  const blob = evaluationKeyBlob();
  const evaluationKeys = loadEvaluationKeys(blob);
  fixture = {
    clientKey: TfheClientKey.safe_deserialize(clientKeyBytes, SERIALIZATION_LIMIT),
    secretKeys: decodeClientKey(clientKeyBytes),
    evaluationKeys,
    evaluator: createEvaluator({ evaluationKeys }),
  };
  return fixture;
}

/** The evaluation-key blob: the keyset's `eval-keys.bin`, else generated once per client key and cached. */
export function evaluationKeyBlob(): Uint8Array {
  const keysetEvalKeys = join(TEST_KEYS_DIR, 'eval-keys.bin');
  if (existsSync(keysetEvalKeys)) return readFileSync(keysetEvalKeys);
  const clientKeyBytes = readFileSync(join(TEST_KEYS_DIR, 'client-key.bin'));
  const digest = createHash('sha256').update(clientKeyBytes).digest('hex').slice(0, 16);
  const cached = join(ENGINE_CACHE_DIR, `eval-keys-${digest}.bin`);
  if (existsSync(cached)) return readFileSync(cached);
  const blob = generateEvaluationKeys(clientKeyBytes);
  mkdirSync(ENGINE_CACHE_DIR, { recursive: true });
  writeFileSync(cached, blob);
  return blob;
}

export type TestOperand = { type: FheType; value: bigint } | { scalar: bigint };

/**
 * node-tfhe encrypts the operands, the engine computes (the fixture's evaluator unless one is given),
 * and the result is decrypted twice: by node-tfhe (the oracle) and by our own decryption. Both are
 * returned so tests can assert they agree.
 */
export function computeWithOracle(
  op: FheOp,
  resultType: FheType,
  operands: TestOperand[],
  seed?: Uint8Array,
  evaluator: Evaluator = engineFixture().evaluator,
): { tfhe: bigint; ours: bigint } {
  const { clientKey, secretKeys } = engineFixture();
  const encrypted: FhevmOperand[] = operands.map((o) =>
    'scalar' in o ? o : { type: o.type, ciphertext: encryptWithClientKey(o.type, o.value, clientKey) },
  );
  const bytes = evaluator.computeSync({ op, resultType, operands: encrypted, ...(seed ? { seed } : {}) });
  const tfhe = decryptWithClientKey(resultType, bytes, clientKey);
  const ours = decryptRadix(decodeValue(bytes), secretKeys.glweKey, bitsOf(resultType));
  return { tfhe, ours };
}
