import { describe, expect, it } from 'vitest';
import { loadEvaluationKeys } from '../../src/engine/evaluation-keys.js';
import { PARAMS } from '../../src/engine/params.js';
import { isFhekitError } from '../../src/errors.js';
import { engineFixture } from './engine-fixture.js';

const N = PARAMS.polynomialSize;
const n = PARAMS.smallDimension;
const MOD = 1n << 64n;

/** Signed distance of x from y on the 2^64 torus. */
function torusDistance(x: bigint, y: bigint): bigint {
  const d = (((x - y) % MOD) + MOD) % MOD;
  return d >= MOD / 2n ? d - MOD : d;
}

describe('evaluation keys derived from the client key', () => {
  const { evaluationKeys, secretKeys } = engineFixture();

  it('BSK rows are GGSW encryptions of the small-key bits with TUniform(17) noise', () => {
    const gadget = 1n << BigInt(64 - PARAMS.pbsBaseLog);
    const S = secretKeys.glweKey;
    for (const i of [0, 1, n - 1]) {
      const bit = BigInt(secretKeys.smallKey[i]!);
      for (const row of [0, 1]) {
        const base = (i * 2 + row) * 2 * N;
        const mask = evaluationKeys.bskStandard.subarray(base, base + N);
        const body = evaluationKeys.bskStandard.subarray(base + N, base + 2 * N);
        for (const k of [0, 1, N - 1]) {
          // (mask · S)[k] in Z[X]/(X^N + 1), naively.
          let product = 0n;
          for (let j = 0; j < N; j++) {
            if (S[j] !== 1) continue;
            product += j <= k ? mask[k - j]! : -mask[k - j + N]!;
          }
          const phase = body[k]! - product;
          const expected = row === 1 ? (k === 0 ? bit * gadget : 0n) : -bit * gadget * BigInt(S[k]!);
          const noise = torusDistance(phase, expected);
          expect(noise >= -(1n << 17n) && noise <= 1n << 17n).toBe(true);
        }
      }
    }
  });

  it('KSK rows encrypt big-key bits times the decomposition weights under the small key', () => {
    const { rows } = evaluationKeys.keyswitchKey;
    for (const i of [0, 7, N - 1]) {
      for (let j = 0; j < PARAMS.ksLevel; j++) {
        const row = (i * PARAMS.ksLevel + j) * (n + 1);
        // 32-bit torus: phase = body − <mask, s> mod 2^32.
        let phase = rows[row + n]!;
        for (let k = 0; k < n; k++) if (secretKeys.smallKey[k] === 1) phase = (phase - rows[row + k]!) | 0;
        const expected = secretKeys.glweKey[i]! * 2 ** (32 - PARAMS.ksBaseLog * (j + 1));
        const noise = ((phase - expected) | 0) / 2 ** 13; // TUniform(45) is ≤ 2^13 on the 32-bit torus
        expect(Math.abs(noise)).toBeLessThanOrEqual(1 + 2 ** -10 * n);
      }
    }
  });

  it('rejects a blob that is not an evaluation key with FHE_EVAL_KEYS_CORRUPT', () => {
    let error: unknown;
    try {
      loadEvaluationKeys(new Uint8Array(1024));
    } catch (e) {
      error = e;
    }
    expect(isFhekitError(error) && error.code).toBe('FHE_EVAL_KEYS_CORRUPT');
  });
});
