// Child process of native-kernels.test.ts: one external product per boundary rotation on fixed random
// inputs, with the variant FHEKIT_NATIVE_ISA forces; prints the variant that ran and the output words.
import { nativeAddon } from '../../../src/engine/native/native-addon.js';
import { createNativeBlindRotator } from '../../../src/engine/native/native-blind-rotator.js';
import { PARAMS } from '../../../src/engine/params.js';
import { createRng, randomU64Poly } from '../wasm/exact-glwe.js';

const N = PARAMS.polynomialSize;
const rng = createRng(3);
const bsk = randomU64Poly(rng, 4 * N);
const acc = randomU64Poly(rng, 2 * N);
const rotator = createNativeBlindRotator(bsk, { n: 1, N, baseLog: PARAMS.pbsBaseLog, level: 1 });
const out = [1, N - 1, N, N + 1, 2 * N - 1].flatMap((r) => [...rotator.rotate(acc, Uint32Array.of(r))]);
process.stdout.write(`${nativeAddon()!.kernel()} ${out.join(' ')}\n`);
