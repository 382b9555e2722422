import { FhekitError } from '../errors.js';
import { type ClientSecretKeys, decodeClientKey } from './codec/client-key-codec.js';
import { BinaryPolyMultiplier } from './math/binary-poly-product.js';
import { expandSeed, randomSeed, TUniformSampler } from './math/secure-random.js';
import { addIntegerToLimbs, limbView, roundedHighWord } from './math/torus.js';
import { PARAMS } from './params.js';

/**
 * Our own server-side keys, derived from the client key (tfhe-rs's Fourier server key is not
 * reachable from node-tfhe). Serialized compactly: every mask is expanded from one public seed, so the
 * blob holds only the seed and the bodies (~30 MiB); loading expands masks and builds the working forms.
 *
 * Blob layout (little-endian): "FHEKIT-EVK01" · u32 n · u32 N · u32 ks_level · u32 ks_base_log ·
 * u32 pbs_base_log · seed[16] · KSK bodies (N·ks_level u64) · casting-KSK bodies (pke_dim·ks_level u64) ·
 * BSK bodies (n·2·N u64, the body polynomial of each GGSW row).
 */

const MAGIC = new TextEncoder().encode('FHEKIT-EVK01');
const HEADER_BYTES = MAGIC.length + 5 * 4 + 16;
const KSK_MASK_STREAM = 1;
const CASTING_KSK_MASK_STREAM = 2;
const BSK_MASK_STREAM = 3;

const N = PARAMS.polynomialSize;
const n = PARAMS.smallDimension;
const KS_ROWS = N * PARAMS.ksLevel;
const CASTING_ROWS = PARAMS.pkeDimension * PARAMS.ksLevel;
const BSK_ROWS = n * 2;

/**
 * A keyswitching key to the small key on the 32-bit torus (each u64 rounded to its top 32 bits, like
 * tfhe-rs's KS32 pattern): the keyswitch output is only used after the switch to 12 bits, and the
 * rounding adds ~2^39 of noise against the ~2^53 the keyswitch itself adds.
 */
export interface KeyswitchKey {
  inputDimension: number;
  /** For input coefficient i and level j (row i·ks_level + j): n mask values then the body (top 32 bits). */
  rows: Int32Array;
}

export interface EvaluationKeys {
  /**
   * Standard-domain BSK, the `BlindRotatorFactory` input: for i < n, row r (0 mask, 1 body), column c
   * (0 mask poly, 1 body poly): N u64 — the GGSW (level 1, gadget 2^41) of small-key bit s_i.
   */
  readonly bskStandard: BigUint64Array;
  /** Big key (2048) → small key (918). */
  readonly keyswitchKey: KeyswitchKey;
  /** PKE key (2048) → small key (918), for expanding SDK inputs; built on first use. */
  castingKeyswitchKey(): KeyswitchKey;
}

/** Derives fresh evaluation keys (TUniform noise and seed from the OS CSPRNG) from a client key. */
export function generateEvaluationKeys(clientKeyBytes: Uint8Array): Uint8Array {
  const keys = decodeClientKey(clientKeyBytes);
  try {
    const seed = randomSeed();
    const blob = new Uint8Array(HEADER_BYTES + (KS_ROWS + CASTING_ROWS + BSK_ROWS * N) * 8);
    const header = new DataView(blob.buffer);
    blob.set(MAGIC, 0);
    let offset = MAGIC.length;
    for (const v of [n, N, PARAMS.ksLevel, PARAMS.ksBaseLog, PARAMS.pbsBaseLog]) {
      header.setUint32(offset, v, true);
      offset += 4;
    }
    blob.set(seed, offset);
    offset += 16;
    const kskBodies = new BigUint64Array(blob.buffer, offset, KS_ROWS);
    offset += KS_ROWS * 8;
    const castingBodies = new BigUint64Array(blob.buffer, offset, CASTING_ROWS);
    offset += CASTING_ROWS * 8;
    const bskBodies = new BigUint64Array(blob.buffer, offset, BSK_ROWS * N);
    encryptKeyswitchBodies(
      keys.glweKey,
      keys.smallKey,
      expandSeed(seed, KSK_MASK_STREAM, KS_ROWS * n),
      kskBodies,
    );
    encryptKeyswitchBodies(
      keys.pkeKey,
      keys.smallKey,
      expandSeed(seed, CASTING_KSK_MASK_STREAM, CASTING_ROWS * n),
      castingBodies,
    );
    encryptBootstrapBodies(keys, expandSeed(seed, BSK_MASK_STREAM, BSK_ROWS * N), bskBodies);
    return blob;
  } finally {
    keys.glweKey.fill(0);
    keys.smallKey.fill(0);
    keys.pkeKey.fill(0);
  }
}

/** Rebuilds working keys from a blob made by `generateEvaluationKeys` (works on SharedArrayBuffer views). */
export function loadEvaluationKeys(bytes: Uint8Array): EvaluationKeys {
  const expectedLength = HEADER_BYTES + (KS_ROWS + CASTING_ROWS + BSK_ROWS * N) * 8;
  if (bytes.length !== expectedLength || !MAGIC.every((b, i) => bytes[i] === b)) {
    throw new FhekitError(
      'FHE_EVAL_KEYS_CORRUPT',
      'The evaluation key file is not a fhekit evaluation key blob.',
      {
        hint: 'Delete the keyset directory (or eval-keys.bin) and run `fhe generate-keys` again.',
      },
    );
  }
  const header = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  const dims = [0, 1, 2, 3, 4].map((i) => header.getUint32(MAGIC.length + 4 * i, true));
  const expectedDims = [n, N, PARAMS.ksLevel, PARAMS.ksBaseLog, PARAMS.pbsBaseLog];
  if (dims.some((d, i) => d !== expectedDims[i])) {
    throw new FhekitError('FHE_EVAL_KEYS_CORRUPT', 'The evaluation keys were made for other parameters.', {
      hint: 'Regenerate the keyset with `fhe generate-keys`.',
    });
  }
  const seed = bytes.slice(MAGIC.length + 20, MAGIC.length + 36);
  // Copy the bodies out so the arrays are 8-byte aligned whatever the input's offset.
  const bodies = new BigUint64Array(KS_ROWS + CASTING_ROWS + BSK_ROWS * N);
  new Uint8Array(bodies.buffer).set(bytes.subarray(HEADER_BYTES));
  const kskBodies = bodies.subarray(0, KS_ROWS);
  const castingBodies = bodies.subarray(KS_ROWS, KS_ROWS + CASTING_ROWS);
  const bskBodies = bodies.subarray(KS_ROWS + CASTING_ROWS);

  const bskStandard = new BigUint64Array(BSK_ROWS * 2 * N);
  const bskMasks = expandSeed(seed, BSK_MASK_STREAM, BSK_ROWS * N);
  for (let row = 0; row < BSK_ROWS; row++) {
    bskStandard.set(bskMasks.subarray(row * N, (row + 1) * N), row * 2 * N);
    bskStandard.set(bskBodies.subarray(row * N, (row + 1) * N), row * 2 * N + N);
  }
  const keyswitchKey = buildKeyswitchKey(N, expandSeed(seed, KSK_MASK_STREAM, KS_ROWS * n), kskBodies);
  let casting: KeyswitchKey | undefined;
  return {
    bskStandard,
    keyswitchKey,
    castingKeyswitchKey() {
      casting ??= buildKeyswitchKey(
        PARAMS.pkeDimension,
        expandSeed(seed, CASTING_KSK_MASK_STREAM, CASTING_ROWS * n),
        castingBodies,
      );
      return casting;
    },
  };
}

/**
 * Row (i, j) is an LWE encryption under the small key of s_in[i]·2^(64 - ks_base_log·(j+1)), so a
 * balanced base-16 decomposition of an input mask coefficient selects the rows to subtract.
 */
function encryptKeyswitchBodies(
  inputKey: Uint8Array,
  smallKey: Uint8Array,
  masks: BigUint64Array,
  bodies: BigUint64Array,
): void {
  const noise = new TUniformSampler(PARAMS.smallNoiseBoundLog2);
  const maskLimbs = limbView(masks);
  const bodyLimbs = limbView(bodies);
  for (let i = 0; i < inputKey.length; i++) {
    for (let j = 0; j < PARAMS.ksLevel; j++) {
      const row = i * PARAMS.ksLevel + j;
      let sumLo = 0;
      let sumHi = 0;
      const base = 2 * row * n;
      for (let k = 0; k < n; k++) {
        if (smallKey[k] === 1) {
          sumLo += maskLimbs[base + 2 * k]!;
          sumHi += maskLimbs[base + 2 * k + 1]!;
        }
      }
      const carry = Math.floor(sumLo / 2 ** 32);
      bodyLimbs[2 * row] = sumLo - carry * 2 ** 32;
      bodyLimbs[2 * row + 1] = sumHi + carry;
      addIntegerToLimbs(bodyLimbs, row, noise.sample());
      if (inputKey[i] === 1) {
        // 2^(64 - 4(j+1)) sits in the high word: 2^(28 - 4j).
        bodyLimbs[2 * row + 1] = bodyLimbs[2 * row + 1]! + 2 ** (32 - PARAMS.ksBaseLog * (j + 1));
      }
    }
  }
}

/**
 * GGSW of s_i (level 1, gadget g = 2^(64 - pbs_base_log)) under the GLWE key S: two GLWE encryptions of
 * zero (body = A·S + e). Row 1 gets s_i·g on the body's constant term; row 0 must have phase −s_i·g·S,
 * which we put in the body too (instead of adding s_i·g to the seeded mask), so masks stay seed-derived.
 */
function encryptBootstrapBodies(keys: ClientSecretKeys, masks: BigUint64Array, bodies: BigUint64Array): void {
  const noise = new TUniformSampler(PARAMS.glweNoiseBoundLog2);
  const multiplier = new BinaryPolyMultiplier(keys.glweKey);
  const gadget = 2 ** (64 - PARAMS.pbsBaseLog * PARAMS.pbsLevel);
  for (let i = 0; i < n; i++) {
    const bit = keys.smallKey[i]!;
    for (let r = 0; r < 2; r++) {
      const row = 2 * i + r;
      const mask = limbView(masks.subarray(row * N, (row + 1) * N));
      const body = limbView(bodies.subarray(row * N, (row + 1) * N));
      multiplier.multiply(mask, body);
      for (let j = 0; j < N; j++) addIntegerToLimbs(body, j, noise.sample());
      if (bit === 1) {
        if (r === 1) addIntegerToLimbs(body, 0, gadget);
        else for (let j = 0; j < N; j++) if (keys.glweKey[j] === 1) addIntegerToLimbs(body, j, -gadget);
      }
    }
  }
}

function buildKeyswitchKey(
  inputDimension: number,
  masks: BigUint64Array,
  bodies: BigUint64Array,
): KeyswitchKey {
  const rowCount = inputDimension * PARAMS.ksLevel;
  const rows = new Int32Array(rowCount * (n + 1));
  const maskLimbs = limbView(masks);
  const bodyLimbs = limbView(bodies);
  for (let row = 0; row < rowCount; row++) {
    const out = row * (n + 1);
    for (let k = 0; k < n; k++) rows[out + k] = roundedHighWord(maskLimbs, row * n + k);
    rows[out + n] = roundedHighWord(bodyLimbs, row);
  }
  return { inputDimension, rows };
}
