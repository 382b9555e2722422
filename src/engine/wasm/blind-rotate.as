// AssemblyScript source of the blind-rotation kernel (compiled by build.mjs to blind-rotate.wasm).
// Not named *.ts so that tsc and biome, which cannot type AssemblyScript, leave it alone.
//
// Data layouts (all pointers are byte offsets chosen by the TypeScript wrapper; memory is imported so
// that a SharedArrayBuffer-backed memory can hold one Fourier BSK for several worker instances):
// - accumulator: N entries of i64x2 (lane 0 = mask poly coefficient, lane 1 = body poly coefficient);
// - Fourier buffer: N/2 entries of {re: f64x2, im: f64x2}, lanes again (mask, body). Entry j holds the
//   "folded" complex value c_j + i*c_{j+N/2}, so one complex FFT of size N/2 transforms both polys;
// - Fourier BSK entry: N/2 entries of {U.re, U.im, V.re, V.im} (f64x2 each), U = (G00, G11) and
//   V = (G10, G01) where Grc is column c of GGSW row r. With d = (dMask, dBody) and its lane swap d',
//   d*U + d'*V = (dMask*G00 + dBody*G10, dBody*G11 + dMask*G01): the external product with no
//   horizontal adds.
// - tables: twist[N/2] (e^{i*pi*j/N}), untwist[N/2] (e^{-i*pi*j/N} / (N/2) / 2^64), then the radix-4 stage
//   twiddles W_L^j, W_L^2j, W_L^3j (W_L = e^{-2*pi*i/L}) for L = N/2, N/8, ..., 16, as (re, im) f64.
// The forward FFT is radix-4 decimation in frequency (output in base-4 digit-reversed order), the inverse
// is the mirrored decimation in time taking that order: products are pointwise, so no reordering is needed.

const TWO_POW_MINUS_64: f64 = 1.0 / 18446744073709551616.0;
const TWO_POW_32: f64 = 4294967296.0;
/** 1.5 * 2^52: x + MAGIC, for |x| < 2^51, holds round(x) in its low mantissa bits (as 2^51 + round(x)). */
const MAGIC: f64 = 6755399441055744.0;

let polySize: i32 = 0;
let fourierSize: i32 = 0;
let twistTable: usize = 0;
let untwistTable: usize = 0;
let twiddleTable: usize = 0;
let twiddleTableEnd: usize = 0;

/** Sets N (N/2 must be a power of 4, at least 16) and where the wrapper wrote the tables. */
export function configure(polynomialSize: i32, tables: usize): void {
  polySize = polynomialSize;
  fourierSize = polynomialSize >> 1;
  twistTable = tables;
  untwistTable = tables + (<usize>fourierSize << 4);
  twiddleTable = tables + (<usize>fourierSize << 5);
  let end = twiddleTable;
  for (let len = fourierSize; len >= 16; len >>= 2) end += <usize>(len >> 2) * 48;
  twiddleTableEnd = end;
}

function complexMulRe(ar: v128, ai: v128, br: v128, bi: v128): v128 {
  return f64x2.sub(f64x2.mul(ar, br), f64x2.mul(ai, bi));
}

function complexMulIm(ar: v128, ai: v128, br: v128, bi: v128): v128 {
  return f64x2.add(f64x2.mul(ar, bi), f64x2.mul(ai, br));
}

/** Multiplies a * conj(b). */
function conjMulRe(ar: v128, ai: v128, br: v128, bi: v128): v128 {
  return f64x2.add(f64x2.mul(ar, br), f64x2.mul(ai, bi));
}

function conjMulIm(ar: v128, ai: v128, br: v128, bi: v128): v128 {
  return f64x2.sub(f64x2.mul(ai, br), f64x2.mul(ar, bi));
}

function forwardStage(buf: usize, len: i32, twiddles: usize): void {
  const quarter = <usize>(len >> 2) << 5;
  const stride = <usize>len << 5;
  const end = buf + (<usize>fourierSize << 5);
  for (let j: usize = 0; j < quarter; j += 32) {
    const t = twiddles + (j >> 5) * 48;
    const w1r = v128.load64_splat(t);
    const w1i = v128.load64_splat(t, 8);
    const w2r = v128.load64_splat(t, 16);
    const w2i = v128.load64_splat(t, 24);
    const w3r = v128.load64_splat(t, 32);
    const w3i = v128.load64_splat(t, 40);
    for (let p0 = buf + j; p0 < end; p0 += stride) {
      const p1 = p0 + quarter;
      const p2 = p1 + quarter;
      const p3 = p2 + quarter;
      const a0r = v128.load(p0);
      const a0i = v128.load(p0, 16);
      const a1r = v128.load(p1);
      const a1i = v128.load(p1, 16);
      const a2r = v128.load(p2);
      const a2i = v128.load(p2, 16);
      const a3r = v128.load(p3);
      const a3i = v128.load(p3, 16);
      const s02r = f64x2.add(a0r, a2r);
      const s02i = f64x2.add(a0i, a2i);
      const d02r = f64x2.sub(a0r, a2r);
      const d02i = f64x2.sub(a0i, a2i);
      const s13r = f64x2.add(a1r, a3r);
      const s13i = f64x2.add(a1i, a3i);
      const d13r = f64x2.sub(a1r, a3r);
      const d13i = f64x2.sub(a1i, a3i);
      v128.store(p0, f64x2.add(s02r, s13r));
      v128.store(p0, f64x2.add(s02i, s13i), 16);
      // y1 = (d02 - i*d13) W^j, y2 = (s02 - s13) W^2j, y3 = (d02 + i*d13) W^3j
      const y1r = f64x2.add(d02r, d13i);
      const y1i = f64x2.sub(d02i, d13r);
      const y2r = f64x2.sub(s02r, s13r);
      const y2i = f64x2.sub(s02i, s13i);
      const y3r = f64x2.sub(d02r, d13i);
      const y3i = f64x2.add(d02i, d13r);
      v128.store(p1, complexMulRe(y1r, y1i, w1r, w1i));
      v128.store(p1, complexMulIm(y1r, y1i, w1r, w1i), 16);
      v128.store(p2, complexMulRe(y2r, y2i, w2r, w2i));
      v128.store(p2, complexMulIm(y2r, y2i, w2r, w2i), 16);
      v128.store(p3, complexMulRe(y3r, y3i, w3r, w3i));
      v128.store(p3, complexMulIm(y3r, y3i, w3r, w3i), 16);
    }
  }
}

/** Last forward stage (length 4, all twiddles 1) on the 4 entries at p. */
function forwardButterfly4(p: usize): void {
  {
    const a0r = v128.load(p);
    const a0i = v128.load(p, 16);
    const a1r = v128.load(p, 32);
    const a1i = v128.load(p, 48);
    const a2r = v128.load(p, 64);
    const a2i = v128.load(p, 80);
    const a3r = v128.load(p, 96);
    const a3i = v128.load(p, 112);
    const s02r = f64x2.add(a0r, a2r);
    const s02i = f64x2.add(a0i, a2i);
    const d02r = f64x2.sub(a0r, a2r);
    const d02i = f64x2.sub(a0i, a2i);
    const s13r = f64x2.add(a1r, a3r);
    const s13i = f64x2.add(a1i, a3i);
    const d13r = f64x2.sub(a1r, a3r);
    const d13i = f64x2.sub(a1i, a3i);
    v128.store(p, f64x2.add(s02r, s13r));
    v128.store(p, f64x2.add(s02i, s13i), 16);
    v128.store(p, f64x2.add(d02r, d13i), 32);
    v128.store(p, f64x2.sub(d02i, d13r), 48);
    v128.store(p, f64x2.sub(s02r, s13r), 64);
    v128.store(p, f64x2.sub(s02i, s13i), 80);
    v128.store(p, f64x2.sub(d02r, d13i), 96);
    v128.store(p, f64x2.add(d02i, d13r), 112);
  }
}

function inverseStage(buf: usize, len: i32, twiddles: usize): void {
  const quarter = <usize>(len >> 2) << 5;
  const stride = <usize>len << 5;
  const end = buf + (<usize>fourierSize << 5);
  for (let j: usize = 0; j < quarter; j += 32) {
    const t = twiddles + (j >> 5) * 48;
    const w1r = v128.load64_splat(t);
    const w1i = v128.load64_splat(t, 8);
    const w2r = v128.load64_splat(t, 16);
    const w2i = v128.load64_splat(t, 24);
    const w3r = v128.load64_splat(t, 32);
    const w3i = v128.load64_splat(t, 40);
    for (let p0 = buf + j; p0 < end; p0 += stride) {
      const p1 = p0 + quarter;
      const p2 = p1 + quarter;
      const p3 = p2 + quarter;
      const y0r = v128.load(p0);
      const y0i = v128.load(p0, 16);
      const x1r = v128.load(p1);
      const x1i = v128.load(p1, 16);
      const x2r = v128.load(p2);
      const x2i = v128.load(p2, 16);
      const x3r = v128.load(p3);
      const x3i = v128.load(p3, 16);
      const y1r = conjMulRe(x1r, x1i, w1r, w1i);
      const y1i = conjMulIm(x1r, x1i, w1r, w1i);
      const y2r = conjMulRe(x2r, x2i, w2r, w2i);
      const y2i = conjMulIm(x2r, x2i, w2r, w2i);
      const y3r = conjMulRe(x3r, x3i, w3r, w3i);
      const y3i = conjMulIm(x3r, x3i, w3r, w3i);
      const s02r = f64x2.add(y0r, y2r);
      const s02i = f64x2.add(y0i, y2i);
      const d02r = f64x2.sub(y0r, y2r);
      const d02i = f64x2.sub(y0i, y2i);
      const s13r = f64x2.add(y1r, y3r);
      const s13i = f64x2.add(y1i, y3i);
      const d13r = f64x2.sub(y1r, y3r);
      const d13i = f64x2.sub(y1i, y3i);
      // a1 = d02 + i*d13, a3 = d02 - i*d13
      v128.store(p0, f64x2.add(s02r, s13r));
      v128.store(p0, f64x2.add(s02i, s13i), 16);
      v128.store(p1, f64x2.sub(d02r, d13i));
      v128.store(p1, f64x2.add(d02i, d13r), 16);
      v128.store(p2, f64x2.sub(s02r, s13r));
      v128.store(p2, f64x2.sub(s02i, s13i), 16);
      v128.store(p3, f64x2.add(d02r, d13i));
      v128.store(p3, f64x2.sub(d02i, d13r), 16);
    }
  }
}

/** First inverse stage (length 4, all twiddles 1) on the 4 entries at p. */
function inverseButterfly4(p: usize): void {
  {
    const y0r = v128.load(p);
    const y0i = v128.load(p, 16);
    const y1r = v128.load(p, 32);
    const y1i = v128.load(p, 48);
    const y2r = v128.load(p, 64);
    const y2i = v128.load(p, 80);
    const y3r = v128.load(p, 96);
    const y3i = v128.load(p, 112);
    const s02r = f64x2.add(y0r, y2r);
    const s02i = f64x2.add(y0i, y2i);
    const d02r = f64x2.sub(y0r, y2r);
    const d02i = f64x2.sub(y0i, y2i);
    const s13r = f64x2.add(y1r, y3r);
    const s13i = f64x2.add(y1i, y3i);
    const d13r = f64x2.sub(y1r, y3r);
    const d13i = f64x2.sub(y1i, y3i);
    v128.store(p, f64x2.add(s02r, s13r));
    v128.store(p, f64x2.add(s02i, s13i), 16);
    v128.store(p, f64x2.sub(d02r, d13i), 32);
    v128.store(p, f64x2.add(d02i, d13r), 48);
    v128.store(p, f64x2.sub(s02r, s13r), 64);
    v128.store(p, f64x2.sub(s02i, s13i), 80);
    v128.store(p, f64x2.add(d02r, d13i), 96);
    v128.store(p, f64x2.sub(d02i, d13r), 112);
  }
}

/** All forward stages but the last (length 4), which the blind rotation fuses with the GGSW product. */
function forwardTwiddledStages(buf: usize): void {
  let twiddles = twiddleTable;
  for (let len = fourierSize; len >= 16; len >>= 2) {
    forwardStage(buf, len, twiddles);
    twiddles += <usize>(len >> 2) * 48;
  }
}

function forwardFft(buf: usize): void {
  forwardTwiddledStages(buf);
  const end = buf + (<usize>fourierSize << 5);
  for (let p = buf; p < end; p += 128) forwardButterfly4(p);
}

/** All inverse stages but the first (length 4). */
function inverseTwiddledStages(buf: usize): void {
  let twiddles = twiddleTableEnd;
  for (let len = 16; len <= fourierSize; len <<= 2) {
    twiddles -= <usize>(len >> 2) * 48;
    inverseStage(buf, len, twiddles);
  }
}

/** Twists the folded value (re, im) by e^{i*pi*j/N} and stores it as Fourier buffer entry j. */
function storeTwisted(buf: usize, j: usize, re: v128, im: v128): void {
  const t = twistTable + (j << 4);
  const tr = v128.load64_splat(t);
  const ti = v128.load64_splat(t, 8);
  const p = buf + (j << 5);
  v128.store(p, complexMulRe(re, im, tr, ti));
  v128.store(p, complexMulIm(re, im, tr, ti), 16);
}

/** Centered u64 lanes to f64 lanes (rounded to 53 bits). */
function i64x2ToF64x2(v: v128): v128 {
  return f64x2.replace_lane(
    f64x2.splat(<f64>i64x2.extract_lane(v, 0)),
    1,
    <f64>i64x2.extract_lane(v, 1),
  );
}

/**
 * Rounds x*2^64 to the nearest integer (ties to even) and reduces it mod 2^64 exactly, for f64 lanes x of
 * any magnitude (inverse-FFT outputs reach ~2^90, i.e. x ~ 2^26), without leaving SIMD. x is the torus
 * value as a real number, so the wrap is just dropping its integer part:
 * - f = x - nearest(x) in [-1/2, 1/2] is exact (x and nearest(x) share ulp(x) once |x| >= 1/2);
 * - f*2^64 = hi*2^32 + lo with hi = nearest(f*2^32) in [-2^31, 2^31] and |lo| <= 2^31, both exact;
 * - adding the magic 1.5*2^52 rounds lo once, to the nearest integer, and leaves it (like hi) in the low
 *   mantissa bits, read back as an i64 by subtracting the magic's bits.
 * (hi << 32) + lo wraps mod 2^64 as needed (f*2^64 = 2^63 gives -2^63).
 */
function wrapTorusToI64x2(x: v128): v128 {
  const fraction = f64x2.sub(x, f64x2.nearest(x));
  const scaled = f64x2.mul(fraction, f64x2.splat(TWO_POW_32));
  const hi = f64x2.nearest(scaled);
  const lo = f64x2.mul(f64x2.sub(scaled, hi), f64x2.splat(TWO_POW_32));
  const magic = f64x2.splat(MAGIC);
  const hiBits = i64x2.sub(f64x2.add(hi, magic), magic);
  const loBits = i64x2.sub(f64x2.add(lo, magic), magic);
  return i64x2.add(i64x2.shl(hiBits, 32), loBits);
}

/** Exported for the exactness test of wrapTorusToI64x2: u64 at dst = round(f64 at src) mod 2^64, `count` even. */
export function roundToTorus(src: usize, dst: usize, count: i32): void {
  const toTorus = f64x2.splat(TWO_POW_MINUS_64);
  for (let k: usize = 0; k < <usize>count; k += 2) {
    v128.store(dst + (k << 3), wrapTorusToI64x2(f64x2.mul(v128.load(src + (k << 3)), toTorus)));
  }
}

/**
 * Converts one standard-domain GGSW (4 polys of N u64: row 0 mask, row 0 body, row 1 mask, row 1 body)
 * at `ggsw` to the Fourier BSK entry layout at `dst`. `fft` is a scratch Fourier buffer.
 */
export function convertGgsw(ggsw: usize, fft: usize, dst: usize): void {
  const polyBytes = <usize>polySize << 3;
  const halfBytes = polyBytes >> 1;
  const row0mask = ggsw;
  const row0body = ggsw + polyBytes;
  const row1mask = ggsw + 2 * polyBytes;
  const row1body = ggsw + 3 * polyBytes;
  // pass 0 builds U = (G00, G11), pass 1 builds V = (G10, G01)
  for (let pass: usize = 0; pass < 2; pass++) {
    const lane0 = pass == 0 ? row0mask : row1mask;
    const lane1 = pass == 0 ? row1body : row0body;
    for (let j: usize = 0; j < <usize>fourierSize; j++) {
      const o = j << 3;
      const lo = i64x2.replace_lane(i64x2.splat(load<i64>(lane0 + o)), 1, load<i64>(lane1 + o));
      const hi = i64x2.replace_lane(
        i64x2.splat(load<i64>(lane0 + halfBytes + o)),
        1,
        load<i64>(lane1 + halfBytes + o),
      );
      storeTwisted(fft, j, i64x2ToF64x2(lo), i64x2ToF64x2(hi));
    }
    forwardFft(fft);
    for (let j: usize = 0; j < <usize>fourierSize; j++) {
      const src = fft + (j << 5);
      const out = dst + (j << 6) + (pass << 5);
      v128.store(out, v128.load(src));
      v128.store(out, v128.load(src, 16), 16);
    }
  }
}

/**
 * Writes the decomposed (level 1, balanced) X^rotation*ACC - ACC into the Fourier buffer, folded and
 * twisted, for entries j in [from, to). Entry j takes coefficients j and j + N/2; `negateLow`/`negateHigh`
 * (0 or -1) say whether the rotated coefficient wraps around X^N = -1 for them.
 * The digit of x is round(x / 2^shift) balanced in [-B/2, B/2), i.e. the arithmetic shift of x + 2^(shift-1);
 * as shift >= 32, only the high words are shifted (i64x2.shr_s has no x64 instruction before AVX-512).
 */
function decomposeRange(
  acc: usize,
  fft: usize,
  from: i32,
  to: i32,
  rotation: i32,
  negateLow: i64,
  negateHigh: i64,
  shift: i32,
): void {
  const coefficientMask = polySize - 1;
  const half = fourierSize;
  const negLow = i64x2.splat(negateLow);
  const negHigh = i64x2.splat(negateHigh);
  const roundingOffset = i64x2.splat(<i64>1 << (shift - 1));
  const highWordShift = shift - 32;
  for (let j = from; j < to; j++) {
    const rotatedLow = v128.load(acc + (<usize>((j - rotation) & coefficientMask) << 4));
    const rotatedHigh = v128.load(acc + (<usize>((j + half - rotation) & coefficientMask) << 4));
    const low = i64x2.sub(i64x2.sub(v128.xor(rotatedLow, negLow), negLow), v128.load(acc + (<usize>j << 4)));
    const high = i64x2.sub(
      i64x2.sub(v128.xor(rotatedHigh, negHigh), negHigh),
      v128.load(acc + (<usize>(j + half) << 4)),
    );
    // high words of (low.mask, low.body, high.mask, high.body) + rounding offset, shifted to the digits
    const highWords = i32x4.shuffle(
      i64x2.add(low, roundingOffset),
      i64x2.add(high, roundingOffset),
      1,
      3,
      5,
      7,
    );
    const digits = i32x4.shr_s(highWords, highWordShift);
    storeTwisted(
      fft,
      <usize>j,
      f64x2.convert_low_i32x4_s(digits),
      f64x2.convert_low_i32x4_s(i32x4.shuffle(digits, digits, 2, 3, 2, 3)),
    );
  }
}

/** Splits the entries by where the rotated coefficients wrap, so that each range has fixed signs. */
function decomposeRotationDifference(acc: usize, fft: usize, rotation: i32, shift: i32): void {
  const half = fourierSize;
  const shiftWithinN = rotation & (polySize - 1);
  // X^rotation = -X^(rotation-N) when rotation >= N
  const flip: i64 = rotation >= polySize ? -1 : 0;
  // coefficient k wraps when k < shiftWithinN: entry j's low one for j < shiftWithinN, its high one for
  // j < shiftWithinN - N/2
  const highWrapEnd = max(shiftWithinN - half, 0);
  const lowWrapEnd = min(shiftWithinN, half);
  decomposeRange(acc, fft, 0, highWrapEnd, shiftWithinN, ~flip, ~flip, shift);
  decomposeRange(acc, fft, highWrapEnd, lowWrapEnd, shiftWithinN, ~flip, flip, shift);
  decomposeRange(acc, fft, lowWrapEnd, half, shiftWithinN, flip, flip, shift);
}

/** In place on entry p: (dMask, dBody) <- (dMask*G00 + dBody*G10, dMask*G01 + dBody*G11). */
function multiplyEntry(p: usize, g: usize): void {
  {
    const dr = v128.load(p);
    const di = v128.load(p, 16);
    const sr = f64x2.shuffle(dr, dr, 1, 0);
    const si = f64x2.shuffle(di, di, 1, 0);
    const ur = v128.load(g);
    const ui = v128.load(g, 16);
    const vr = v128.load(g, 32);
    const vi = v128.load(g, 48);
    v128.store(p, f64x2.add(complexMulRe(dr, di, ur, ui), complexMulRe(sr, si, vr, vi)));
    v128.store(p, f64x2.add(complexMulIm(dr, di, ur, ui), complexMulIm(sr, si, vr, vi)), 16);
  }
}

/**
 * Forward-transformed digits times the Fourier GGSW, back through the first inverse stage: the last
 * forward stage, the pointwise product and the first inverse stage all work on 4 consecutive entries,
 * so they share one pass.
 */
function multiplyGgswBetweenStages(fft: usize, ggsw: usize): void {
  const end = fft + (<usize>fourierSize << 5);
  let g = ggsw;
  for (let p = fft; p < end; p += 128) {
    forwardButterfly4(p);
    multiplyEntry(p, g);
    multiplyEntry(p + 32, g + 64);
    multiplyEntry(p + 64, g + 128);
    multiplyEntry(p + 96, g + 192);
    inverseButterfly4(p);
    g += 256;
  }
}

/** ACC += inverse FFT of the buffer, untwisted (the untwist table includes 2^-64: outputs come as torus values), rounded mod 2^64. */
function accumulateInverse(acc: usize, fft: usize): void {
  const half = <usize>fourierSize;
  for (let j: usize = 0; j < half; j++) {
    const p = fft + (j << 5);
    const re = v128.load(p);
    const im = v128.load(p, 16);
    const t = untwistTable + (j << 4);
    const tr = v128.load64_splat(t);
    const ti = v128.load64_splat(t, 8);
    const lo = acc + (j << 4);
    const hi = acc + ((j + half) << 4);
    v128.store(lo, i64x2.add(v128.load(lo), wrapTorusToI64x2(complexMulRe(re, im, tr, ti))));
    v128.store(hi, i64x2.add(v128.load(hi), wrapTorusToI64x2(complexMulIm(re, im, tr, ti))));
  }
}

/**
 * Blind rotation. `io` holds the GLWE as [mask poly, body poly] (N u64 each) and receives the result;
 * `acc` (N*16 bytes) and `fft` (N*16 bytes) are scratch; `mask` holds `count` u32 rotations in [0, 2N);
 * `bsk` holds `count` Fourier GGSW entries of N*32 bytes; the gadget is 2^(64 - baseLog) (level 1).
 */
export function blindRotate(
  io: usize,
  acc: usize,
  fft: usize,
  mask: usize,
  count: i32,
  bsk: usize,
  baseLog: i32,
): void {
  const polyBytes = <usize>polySize << 3;
  for (let k: usize = 0; k < <usize>polySize; k++) {
    v128.store(
      acc + (k << 4),
      i64x2.replace_lane(i64x2.splat(load<i64>(io + (k << 3))), 1, load<i64>(io + polyBytes + (k << 3))),
    );
  }
  const shift = 64 - baseLog;
  const entryBytes = <usize>polySize << 5;
  for (let i = 0; i < count; i++) {
    const rotation = load<u32>(mask + (<usize>i << 2));
    if (rotation == 0) continue;
    decomposeRotationDifference(acc, fft, <i32>rotation, shift);
    forwardTwiddledStages(fft);
    multiplyGgswBetweenStages(fft, bsk + <usize>i * entryBytes);
    inverseTwiddledStages(fft);
    accumulateInverse(acc, fft);
  }
  for (let k: usize = 0; k < <usize>polySize; k++) {
    const v = v128.load(acc + (k << 4));
    store<i64>(io + (k << 3), i64x2.extract_lane(v, 0));
    store<i64>(io + polyBytes + (k << 3), i64x2.extract_lane(v, 1));
  }
}
