// Runs node-tfhe key generation off the main thread: CRS generation blocks for about a minute in
// wasm, and the main thread must keep drawing progress meanwhile.
import { parentPort, workerData } from 'node:worker_threads';
import { CompactPkeCrs, TfheClientKey, TfheCompactPublicKey, TfheCompressedServerKey } from 'node-tfhe';
import { generateEvaluationKeys } from '../engine/evaluation-keys.js';
import { SERIALIZATION_LIMIT } from '../fhevm/limits.js';
import type { KeysetPart } from './keyset-files.js';
import { writeKeysetPart } from './keyset-permissions.js';
import { CRS_BITS, fhevmTfheConfig } from './tfhe-config.js';

export type KeygenMessage =
  | { part: KeysetPart; event: 'start' }
  | { part: KeysetPart; event: 'done'; bytes: number };

const { dir } = workerData as { dir: string };
const post = (message: KeygenMessage) => parentPort!.postMessage(message);

function produce(part: KeysetPart, make: () => Uint8Array) {
  post({ part, event: 'start' });
  const bytes = make();
  writeKeysetPart(dir, part, bytes);
  post({ part, event: 'done', bytes: bytes.length });
}

const config = fhevmTfheConfig();
const clientKey = TfheClientKey.generate(config);
let clientKeyBytes: Uint8Array = new Uint8Array();
produce('clientKey', () => {
  clientKeyBytes = clientKey.safe_serialize(SERIALIZATION_LIMIT);
  return clientKeyBytes;
});
produce('publicKey', () => TfheCompactPublicKey.new(clientKey).safe_serialize(SERIALIZATION_LIMIT));
produce('evaluationKeys', () => generateEvaluationKeys(clientKeyBytes));
produce('serverKey', () => TfheCompressedServerKey.new(clientKey).safe_serialize(SERIALIZATION_LIMIT));
produce('crs', () => CompactPkeCrs.from_config(config, CRS_BITS).safe_serialize(SERIALIZATION_LIMIT));
