// Exact (integer-only) GLWE arithmetic for testing the blind-rotation kernels independently of the engine.

const TWO_POW_64 = 1n << 64n;
const LIMB_COUNT = 4;
const LIMB_BITS = 16;

/** xoshiro128**: a small seeded generator so that failures reproduce. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0 || 1;
  let b = 0x9e3779b9;
  let c = 0x243f6a88;
  let d = 0xb7e15162;
  const next = () => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  for (let i = 0; i < 16; i++) next();
  return next;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

export function randomU64(rng: () => number): bigint {
  return (BigInt(rng()) << 32n) | BigInt(rng());
}

export function randomU64Poly(rng: () => number, size: number): BigUint64Array {
  const poly = new BigUint64Array(size);
  for (let i = 0; i < size; i++) poly[i] = randomU64(rng);
  return poly;
}

export function randomBinary(rng: () => number, size: number): Int32Array {
  return Int32Array.from({ length: size }, () => rng() & 1);
}

/** TUniform(boundLog) as in tfhe-rs: draw boundLog+2 bits r, return (r>>1) + (r&1) - 2^boundLog. */
export function tUniform(rng: () => number, boundLog: number): number {
  const r = rng() & ((1 << (boundLog + 2)) - 1);
  return (r >>> 1) + (r & 1) - 2 ** boundLog;
}

/** Maps a u64 to its signed representative in [-2^63, 2^63). */
export function centered(x: bigint): bigint {
  return BigInt.asIntN(64, x);
}

/**
 * Exact negacyclic product small·big mod (X^N + 1, 2^64) for |small_i| <= 2^22: big is split into 16-bit
 * limbs so that every partial sum stays below 2^53 and f64 accumulation is exact.
 */
export function negacyclicMulSmall(small: ArrayLike<number>, big: BigUint64Array): BigUint64Array {
  const size = big.length;
  const limbs = Array.from({ length: LIMB_COUNT }, (_, l) =>
    Float64Array.from(big, (x) => Number((x >> BigInt(l * LIMB_BITS)) & 0xffffn)),
  );
  const sums = Array.from({ length: LIMB_COUNT }, () => new Float64Array(size));
  for (let k = 0; k < size; k++) {
    const factor = small[k];
    if (factor === 0) continue;
    for (let l = 0; l < LIMB_COUNT; l++) {
      const limb = limbs[l];
      const sum = sums[l];
      // X^k * X^j = X^(j+k), and -X^(j+k-N) once j+k wraps past N
      for (let j = 0; j < size - k; j++) sum[j + k] += factor * limb[j];
      for (let j = size - k; j < size; j++) sum[j + k - size] -= factor * limb[j];
    }
  }
  const product = new BigUint64Array(size);
  for (let j = 0; j < size; j++) {
    let value = 0n;
    for (let l = 0; l < LIMB_COUNT; l++) value += BigInt(sums[l][j]) << BigInt(l * LIMB_BITS);
    product[j] = BigInt.asUintN(64, value);
  }
  return product;
}

/** X^power · poly mod X^N + 1, for power in [0, 2N). */
export function monomialMul(poly: BigUint64Array, power: number): BigUint64Array {
  const size = poly.length;
  const result = new BigUint64Array(size);
  for (let j = 0; j < size; j++) {
    const target = (j + power) % (2 * size);
    const value = target < size ? poly[j] : BigInt.asUintN(64, TWO_POW_64 - poly[j]);
    result[target % size] = value;
  }
  return result;
}

/** Phase body - mask·S of a k=1 GLWE given as [mask poly, body poly]. */
export function glwePhase(glwe: BigUint64Array, glweKey: Int32Array): BigUint64Array {
  const size = glweKey.length;
  const maskTimesKey = negacyclicMulSmall(glweKey, glwe.subarray(0, size));
  return BigUint64Array.from(glwe.subarray(size), (b, j) => BigInt.asUintN(64, b - maskTimesKey[j]));
}

/**
 * Bootstrapping key in the standard layout: for each small-key bit s_i, two GLWE encryptions of zero
 * under glweKey (TUniform(noiseBoundLog) noise) with s_i·2^(64-baseLog) added to the constant coefficient
 * of the mask (row 0) or of the body (row 1).
 */
export function buildStandardBsk(
  rng: () => number,
  glweKey: Int32Array,
  smallKey: Int32Array,
  baseLog: number,
  noiseBoundLog: number,
): BigUint64Array {
  const size = glweKey.length;
  const gadget = 1n << BigInt(64 - baseLog);
  const bsk = new BigUint64Array(smallKey.length * 4 * size);
  for (let i = 0; i < smallKey.length; i++) {
    for (let row = 0; row < 2; row++) {
      const mask = randomU64Poly(rng, size);
      const maskTimesKey = negacyclicMulSmall(glweKey, mask);
      const body = BigUint64Array.from(maskTimesKey, (x) =>
        BigInt.asUintN(64, x + BigInt(tUniform(rng, noiseBoundLog))),
      );
      const message = BigInt(smallKey[i]) * gadget;
      if (row === 0) mask[0] = BigInt.asUintN(64, mask[0] + message);
      else body[0] = BigInt.asUintN(64, body[0] + message);
      const rowOffset = (i * 4 + row * 2) * size;
      bsk.set(mask, rowOffset);
      bsk.set(body, rowOffset + size);
    }
  }
  return bsk;
}
