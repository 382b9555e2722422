// AssemblyScript source of the keyswitch kernel (compiled by build.mjs to keyswitch.wasm). Computes exactly
// what src/engine/pbs/keyswitch.ts computes: the level-4 keyswitch to the small key on the 32-bit torus,
// fused with the centered modulus switch to 2N. Not named *.ts so that tsc and biome leave it alone.
//
// Data layouts (byte offsets chosen by the TypeScript wrapper; memory is imported so that one
// SharedArrayBuffer-backed memory holds one KSK for several worker instances):
// - input: the big LWE as u64 (low word, high word) pairs: inputDimension mask coefficients, then the body;
// - KSK: row (i, j) = i*4 + j holds `stride` i32 (n mask values, the body, zero padding to a multiple of 4),
//   so the 4 rows of input coefficient i are one contiguous block and every row is 16-byte aligned;
// - acc: `stride` i32 (n mask values, the body, padding), the keyswitched LWE on the 32-bit torus;
// - mask: n u32, the switched mask in [0, 2N).

const LEVELS: i32 = 4;

/**
 * Keyswitch + centered modulus switch of the LWE at `input`; writes the switched mask to `mask` and
 * returns the switched body. `logTwoN` = log2(2N); `baseLog` * 4 must be at most 31.
 */
export function keyswitchModSwitch(
  input: usize,
  inputDimension: i32,
  ksk: usize,
  n: i32,
  baseLog: i32,
  acc: usize,
  mask: usize,
  logTwoN: i32,
): i32 {
  const stride = ((n + 4) >> 2) << 2;
  const rowBytes = <usize>stride << 2;
  memory.fill(acc, 0, rowBytes);
  const bodyAt = input + (<usize>inputDimension << 3);
  // Body of the 32-bit output: the input body's high word rounded by its low word's top bit.
  store<i32>(acc + (<usize>n << 2), load<i32>(bodyAt, 4) + <i32>(load<u32>(bodyAt) >>> 31));

  const keptBits = baseLog * LEVELS;
  const keptShift = 32 - keptBits;
  const keptMask: u32 = (1 << keptBits) - 1;
  const digitMask: u32 = (1 << baseLog) - 1;
  const halfBase: i32 = 1 << (baseLog - 1);
  const fullBase: i32 = 1 << baseLog;
  let rows = ksk;
  for (let i: usize = 0; i < <usize>inputDimension; i++, rows += rowBytes * LEVELS) {
    const high = load<u32>(input + (i << 3), 4);
    let kept = ((high >>> keptShift) + ((high >>> (keptShift - 1)) & 1)) & keptMask;
    // Balanced digits from the least significant level (row 3) up; the top carry wraps away.
    let d3 = <i32>(kept & digitMask);
    kept >>>= baseLog;
    if (d3 >= halfBase) {
      d3 -= fullBase;
      kept++;
    }
    let d2 = <i32>(kept & digitMask);
    kept >>>= baseLog;
    if (d2 >= halfBase) {
      d2 -= fullBase;
      kept++;
    }
    let d1 = <i32>(kept & digitMask);
    kept >>>= baseLog;
    if (d1 >= halfBase) {
      d1 -= fullBase;
      kept++;
    }
    let d0 = <i32>(kept & digitMask);
    if (d0 >= halfBase) d0 -= fullBase;
    if ((d0 | d1 | d2 | d3) == 0) continue;
    const v0 = i32x4.splat(d0);
    const v1 = i32x4.splat(d1);
    const v2 = i32x4.splat(d2);
    const v3 = i32x4.splat(d3);
    // All four levels in one pass over acc: one load and store of acc per four KSK vectors.
    for (let o: usize = 0; o < rowBytes; o += 16) {
      const r = rows + o;
      const sum01 = i32x4.add(i32x4.mul(v0, v128.load(r)), i32x4.mul(v1, v128.load(r + rowBytes)));
      const sum23 = i32x4.add(
        i32x4.mul(v2, v128.load(r + 2 * rowBytes)),
        i32x4.mul(v3, v128.load(r + 3 * rowBytes)),
      );
      v128.store(acc + o, i32x4.sub(v128.load(acc + o), i32x4.add(sum01, sum23)));
    }
  }

  // Centered modulus switch, in integers: with a unit u = 2^shift and y_k = acc_k / u, the TypeScript
  // reference computes round(b/u − 1/2 + Σ (round(y_k) − y_k)/2) in exact f64; times 2u that is
  // floor((2·b + Σ (round(y_k)·u − acc_k)) / 2u).
  const shift = <u64>(32 - logTwoN);
  const half: u64 = <u64>1 << (shift - 1);
  const modMask: u32 = (1 << logTwoN) - 1;
  let errors: i64 = 0;
  for (let k: usize = 0; k < <usize>n; k++) {
    const value = <u64>load<u32>(acc + (k << 2));
    const rounded = (value + half) >> shift;
    errors += <i64>((rounded << shift) - value);
    store<u32>(mask + (k << 2), <u32>rounded & modMask);
  }
  const body = <i64>load<u32>(acc + (<usize>n << 2));
  return <i32>(<u32>((2 * body + errors) >> <i64>(shift + 1)) & modMask);
}
