import { PARAMS } from '../params.js';
import { ByteReader } from './byte-reader.js';
import { readNativeModulus } from './ciphertext-codec.js';
import { readHeader } from './header.js';

/** The secret keys inside a node-tfhe `TfheClientKey`, one 0/1 byte per key bit. Never log these. */
export interface ClientSecretKeys {
  /** GLWE key (k = 1, N = 2048); as an LWE key it is the big key every stored block is under. */
  glweKey: Uint8Array;
  /** Small LWE key (n = 918): keyswitch output, blind-rotation input. */
  smallKey: Uint8Array;
  /** Dedicated compact-public-key (PKE) secret key (2048): inputs from the SDK are encrypted under it. */
  pkeKey: Uint8Array;
}

const TUNIFORM = 1;

/** Parses a node-tfhe 1.4 `TfheClientKey.safe_serialize` output made with the fhEVM parameters. */
export function decodeClientKey(bytes: Uint8Array): ClientSecretKeys {
  const r = new ByteReader(bytes, 'client key');
  const name = readHeader(r);
  if (name !== 'high_level_api::ClientKey') r.fail(`type ${name} is not a ClientKey`);
  r.expectU32(1, 'HL client key version');
  r.expectU32(6, 'integer client key version');
  r.expectU32(0, 'integer client key');
  r.expectU32(1, 'shortint client key version');
  r.expectU32(0, 'atomic pattern client key version');
  r.expectU32(0, 'atomic pattern Standard');
  r.expectU32(0, 'standard atomic pattern client key');
  const glweKey = readBinaryKey(r, PARAMS.polynomialSize, 'GLWE key');
  r.expectNewtype(PARAMS.polynomialSize, 'GLWE polynomial size');
  const smallKey = readBinaryKey(r, PARAMS.smallDimension, 'small LWE key');
  readComputeParameters(r);
  if (r.u8() !== 0) r.fail('WoPBS parameters are not supported');
  if (r.u8() !== 1) r.fail('the key has no dedicated compact public key (use the fhEVM PKE parameters)');
  r.expectU32(0, 'integer compact private key');
  r.expectU32(0, 'shortint compact private key');
  const pkeKey = readBinaryKey(r, PARAMS.pkeDimension, 'PKE key');
  return { glweKey, smallKey, pkeKey };
}

function readBinaryKey(r: ByteReader, dimension: number, field: string): Uint8Array {
  r.expectU32(0, `${field} version`);
  const length = r.u64Number();
  if (length !== dimension) r.fail(`${field} has ${length} coefficients, expected ${dimension}`);
  const raw = r.u64Array(length);
  const key = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    if (raw[i]! > 1n) r.fail(`${field} is not binary`);
    key[i] = Number(raw[i]);
  }
  raw.fill(0n);
  return key;
}

/** Checks that the key was made with exactly the parameters our evaluation keys assume. */
function readComputeParameters(r: ByteReader): void {
  r.expectU32(0, 'PBS parameters version');
  r.expectU32(0, 'PBS parameters variant');
  r.expectU32(2, 'classic PBS parameters version');
  r.expectNewtype(PARAMS.smallDimension, 'lwe_dimension');
  r.expectNewtype(1, 'glwe_dimension');
  r.expectNewtype(PARAMS.polynomialSize, 'polynomial_size');
  expectTUniform(r, PARAMS.smallNoiseBoundLog2, 'lwe_noise_distribution');
  expectTUniform(r, PARAMS.glweNoiseBoundLog2, 'glwe_noise_distribution');
  r.expectNewtype(PARAMS.pbsBaseLog, 'pbs_base_log');
  r.expectNewtype(PARAMS.pbsLevel, 'pbs_level');
  r.expectNewtype(PARAMS.ksBaseLog, 'ks_base_log');
  r.expectNewtype(PARAMS.ksLevel, 'ks_level');
  r.expectNewtype(PARAMS.messageModulus, 'message_modulus');
  r.expectNewtype(PARAMS.carryModulus, 'carry_modulus');
  r.expectNewtype(PARAMS.maxNoiseLevel, 'max_noise_level');
  r.f64(); // log2_p_fail
  readNativeModulus(r);
  r.expectU32(0, 'encryption key choice version');
  r.expectU32(0, 'encryption key choice Big');
  r.expectU32(0, 'modulus switch type version');
  r.expectU32(2, 'modulus switch CenteredMeanNoiseReduction');
}

function expectTUniform(r: ByteReader, boundLog2: number, field: string): void {
  r.expectU32(0, `${field} version`);
  r.expectU32(TUNIFORM, `${field} TUniform`);
  r.expectU32(0, `${field} TUniform version`);
  r.expectU32(boundLog2, `${field} bound_log2`);
}
