// The PBS kernels, written once over GCC/Clang vector extensions of W doubles and compiled by each
// kernel-*.cc with its own instruction-set flags and W (FHEKIT_KERNEL_W): W = 8 is one zmm register with
// AVX-512F, W = 4 one ymm with AVX2; the portable build uses W = 8 as four xmm (SSE2 on x86-64, NEON on
// arm64).
//
// Negacyclic product: a polynomial of N torus coefficients is folded into M = N/2 complex values
// z_j = p_j + i·p_{j+M}, twisted by e^{iπj/N}, and transformed by a radix-4 FFT of M points, decimation
// in frequency (output in base-4 digit-reversed order). The inverse is the mirrored decimation in time,
// which takes that order back: products are pointwise, so no bit reversal is ever done.
//
// Layouts:
// - FFT buffers: split re[M] / im[M] (so every stage with a quarter of W or more is whole vectors);
// - Fourier BSK, per GGSW (4N doubles, scaled by 1/M · 2^-64 so the inverse lands in torus units): M/W
//   chunks of 8W doubles, chunk c = points Wc..Wc+W−1 of G00 re, G00 im, G10 re, G10 im, G01 re,
//   G01 im, G11 re, G11 im (Grc = row r, column c): one sequential stream per external product;
// - accumulator: the caller's [mask poly, body poly] u64, updated in place (through aligned scratch
//   when the caller's is not 64-byte aligned).
#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <new>
#include <vector>

#include "kernel.h"

namespace fhekit {
namespace FHEKIT_KERNEL_NS {
namespace {

constexpr int W = FHEKIT_KERNEL_W;
static_assert(W == 4 || W == 8, "the FFT tail handles W = 4 and W = 8");
/**
 * Points per block of the FFT tail: the stages whose quarter is below W (lengths 16 and 4 for W = 8,
 * length 4 for W = 4) run on W blocks of B points transposed so that lane = block.
 */
constexpr int B = W == 8 ? 16 : 4;
typedef double vd __attribute__((vector_size(W * 8), aligned(8)));
typedef int64_t vl __attribute__((vector_size(W * 8), aligned(8)));
typedef uint64_t vu __attribute__((vector_size(W * 8), aligned(8)));

// Unaligned, aliasing vector access (GCC 12 expands a 32-byte memcpy as two 16-byte moves through the
// stack, which stalls store forwarding).
typedef double vdu __attribute__((vector_size(W * 8), aligned(8), may_alias));
inline vd ld(const double* p) { return *reinterpret_cast<const vdu*>(p); }
inline void st(double* p, vd v) { *reinterpret_cast<vdu*>(p) = v; }
typedef uint64_t vuu __attribute__((vector_size(W * 8), aligned(8), may_alias));
inline vu ldu(const uint64_t* p) { return *reinterpret_cast<const vuu*>(p); }
inline void stu(uint64_t* p, vu v) { *reinterpret_cast<vuu*>(p) = v; }
inline vd splat(double x) { return vd{} + x; }
/**
 * A load kept in a register: GCC otherwise folds a value used twice into two memory operands, which
 * made the inverse FFT stages load 22 vectors per column instead of 14 (the load ports bound them).
 */
inline vd ldr(const double* p) {
  vd v = ld(p);
#if defined(__AVX__)
  asm("" : "+v"(v));
#endif
  return v;
}

/** 64-byte-aligned storage: 32-byte loads that straddle cache lines made the FFT ~35% slower. */
template <class T>
struct Aligned64 {
  using value_type = T;
  Aligned64() = default;
  template <class U>
  Aligned64(const Aligned64<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(64))); }
  void deallocate(T* p, size_t) { ::operator delete(p, std::align_val_t(64)); }
  template <class U>
  bool operator==(const Aligned64<U>&) const { return true; }
  template <class U>
  bool operator!=(const Aligned64<U>&) const { return false; }
};
template <class T>
using AlignedVector = std::vector<T, Aligned64<T>>;

/** 1.5·2^52: y + MAGIC, for |y| < 2^51, holds round(y) (ties to even) in its low mantissa bits. */
constexpr double MAGIC = 6755399441055744.0;
constexpr double TWO_52 = 4503599627370496.0;

/**
 * round(x·2^64) mod 2^64 for torus values x of any magnitude, to 2^12: the fraction f = x − round(x) is
 * exact, and round(f·2^52) comes out of the mantissa of f·2^52 + MAGIC without a double → int64
 * conversion (AVX2 and AVX-512F have none). Dropping the last 12 bits costs nothing: inverse-FFT outputs
 * reach ~2^26 in torus units, so their own ulp is already ~2^38.
 */
inline vu wrapTorus(vd x) {
  const vd magic = splat(MAGIC);
  const vd fraction = x - ((x + magic) - magic);
  const vd bits = fraction * TWO_52 + magic;
  return (vu)((vl)bits - (vl)magic) << 12;
}

struct Tables {
  int N = 0;
  int M = 0;
  AlignedVector<double> twist;    // re[M], im[M]: e^{iπj/N}
  /** Per stage L = M, M/4, …, 4: W^j (W = e^{−2πi/L}) as 2 arrays of L/4 (re, im); W^2j and W^3j are derived. */
  std::vector<AlignedVector<double>> stages;
};

const Tables& tablesFor(int N) {
  thread_local const Tables* last = nullptr;
  if (last != nullptr && last->N == N) return *last;
  static std::mutex lock;
  static std::vector<std::unique_ptr<Tables>> all;
  std::lock_guard<std::mutex> guard(lock);
  for (auto& t : all) {
    if (t->N == N) return *(last = t.get());
  }
  auto t = std::make_unique<Tables>();
  t->N = N;
  t->M = N / 2;
  const int M = t->M;
  t->twist.resize(2 * M);
  const long double pi = 3.141592653589793238462643383279502884L;
  for (int j = 0; j < M; j++) {
    const long double angle = pi * j / N;
    t->twist[j] = (double)cosl(angle);
    t->twist[M + j] = (double)sinl(angle);
  }
  for (int L = M; L >= 4; L /= 4) {
    const int q = L / 4;
    AlignedVector<double> w(2 * q);
    for (int j = 0; j < q; j++) {
      const long double angle = -2 * pi * j / L;
      w[j] = (double)cosl(angle);
      w[q + j] = (double)sinl(angle);
    }
    t->stages.push_back(std::move(w));
  }
  all.push_back(std::move(t));
  return *(last = all.back().get());
}

/** The twiddles W^j, W^2j, W^3j of radix-4 butterflies: one j per lane, or one j splatted. */
struct Twiddles {
  vd w1r, w1i, w2r, w2i, w3r, w3i;
};

/** W^j, W^2j, W^3j from W^j = (w1r, w1i). */
template <class V>
inline Twiddles twiddlesOf(V w1r, V w1i) {
  const V w2r = w1r * w1r - w1i * w1i, w2i = 2.0 * w1r * w1i;
  const V w3r = w1r * w2r - w1i * w2i, w3i = w1r * w2i + w1i * w2r;
  return {vd{} + w1r, vd{} + w1i, vd{} + w2r, vd{} + w2i, vd{} + w3r, vd{} + w3i};
}

/**
 * A stage's twiddles (Tables::stages: W^j as 2 arrays of q) at j..j+W−1. Deriving W^2j and W^3j costs two
 * complex products but keeps the tables at a third of the size: the length-M stage's no longer crowds its
 * data out of L1 (3% of a rotation here), and the extra rounding (~1 ulp) is far below the FFT's own.
 */
inline Twiddles twiddlesAt(const double* w, int q, int j) { return twiddlesOf(ldr(w + j), ldr(w + q + j)); }

/** Radix-4 DIF butterfly in place on the points (r[k], i[k]), k = 0..3; no twiddles when tw is null. */
inline void forwardRadix4(vd* r, vd* i, const Twiddles* tw) {
  const vd s02r = r[0] + r[2], s02i = i[0] + i[2], d02r = r[0] - r[2], d02i = i[0] - i[2];
  const vd s13r = r[1] + r[3], s13i = i[1] + i[3], d13r = r[1] - r[3], d13i = i[1] - i[3];
  r[0] = s02r + s13r;
  i[0] = s02i + s13i;
  // y1 = (d02 − i·d13)·W^j, y2 = (s02 − s13)·W^2j, y3 = (d02 + i·d13)·W^3j
  const vd y1r = d02r + d13i, y1i = d02i - d13r;
  const vd y2r = s02r - s13r, y2i = s02i - s13i;
  const vd y3r = d02r - d13i, y3i = d02i + d13r;
  if (tw == nullptr) {
    r[1] = y1r, i[1] = y1i, r[2] = y2r, i[2] = y2i, r[3] = y3r, i[3] = y3i;
    return;
  }
  r[1] = y1r * tw->w1r - y1i * tw->w1i;
  i[1] = y1r * tw->w1i + y1i * tw->w1r;
  r[2] = y2r * tw->w2r - y2i * tw->w2i;
  i[2] = y2r * tw->w2i + y2i * tw->w2r;
  r[3] = y3r * tw->w3r - y3i * tw->w3i;
  i[3] = y3r * tw->w3i + y3i * tw->w3r;
}

/** The mirrored radix-4 DIT butterfly (conjugate twiddles first): forwardRadix4 undone, times 4. */
inline void inverseRadix4(vd* r, vd* i, const Twiddles* tw) {
  vd y1r = r[1], y1i = i[1], y2r = r[2], y2i = i[2], y3r = r[3], y3i = i[3];
  if (tw != nullptr) {
    y1r = r[1] * tw->w1r + i[1] * tw->w1i, y1i = i[1] * tw->w1r - r[1] * tw->w1i;
    y2r = r[2] * tw->w2r + i[2] * tw->w2i, y2i = i[2] * tw->w2r - r[2] * tw->w2i;
    y3r = r[3] * tw->w3r + i[3] * tw->w3i, y3i = i[3] * tw->w3r - r[3] * tw->w3i;
  }
  const vd s02r = r[0] + y2r, s02i = i[0] + y2i, d02r = r[0] - y2r, d02i = i[0] - y2i;
  const vd s13r = y1r + y3r, s13i = y1i + y3i, d13r = y1r - y3r, d13i = y1i - y3i;
  r[0] = s02r + s13r, i[0] = s02i + s13i;
  r[1] = d02r - d13i, i[1] = d02i + d13r;
  r[2] = s02r - s13r, i[2] = s02i - s13i;
  r[3] = d02r + d13i, i[3] = d02i - d13r;
}

/** The 4 points j + kq (k = 0..3) of the split buffers re, im into r, i (and back). */
inline void loadQuad(const double* re, const double* im, int j, int q, vd* r, vd* i) {
  for (int k = 0; k < 4; k++) r[k] = ldr(re + j + k * q), i[k] = ldr(im + j + k * q);
}
inline void storeQuad(double* re, double* im, int j, int q, const vd* r, const vd* i) {
  for (int k = 0; k < 4; k++) st(re + j + k * q, r[k]), st(im + j + k * q, i[k]);
}

/** W×W transpose of rows r[0..W−1] in place (log2 W rounds of two-input shuffles). */
inline void transpose(vd* r) {
#if FHEKIT_KERNEL_W == 4
  const vd t0 = __builtin_shufflevector(r[0], r[1], 0, 4, 2, 6);
  const vd t1 = __builtin_shufflevector(r[0], r[1], 1, 5, 3, 7);
  const vd t2 = __builtin_shufflevector(r[2], r[3], 0, 4, 2, 6);
  const vd t3 = __builtin_shufflevector(r[2], r[3], 1, 5, 3, 7);
  r[0] = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
  r[1] = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
  r[2] = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
  r[3] = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
#else
  vd t[8], u[8];
  for (int i = 0; i < 8; i += 2) {
    t[i] = __builtin_shufflevector(r[i], r[i + 1], 0, 8, 2, 10, 4, 12, 6, 14);
    t[i + 1] = __builtin_shufflevector(r[i], r[i + 1], 1, 9, 3, 11, 5, 13, 7, 15);
  }
  for (int i = 0; i < 8; i += 4) {
    u[i] = __builtin_shufflevector(t[i], t[i + 2], 0, 1, 8, 9, 4, 5, 12, 13);
    u[i + 2] = __builtin_shufflevector(t[i], t[i + 2], 2, 3, 10, 11, 6, 7, 14, 15);
    u[i + 1] = __builtin_shufflevector(t[i + 1], t[i + 3], 0, 1, 8, 9, 4, 5, 12, 13);
    u[i + 3] = __builtin_shufflevector(t[i + 1], t[i + 3], 2, 3, 10, 11, 6, 7, 14, 15);
  }
  for (int i = 0; i < 4; i++) {
    r[i] = __builtin_shufflevector(u[i], u[i + 4], 0, 1, 2, 3, 8, 9, 10, 11);
    r[i + 4] = __builtin_shufflevector(u[i], u[i + 4], 4, 5, 6, 7, 12, 13, 14, 15);
  }
#endif
}

/** Loads W consecutive B-point blocks at p (natural order) as B vectors x[k], lane b = block b's element k. */
inline void loadGroup(const double* p, vd* x) {
  for (int part = 0; part < B / W; part++) {
    vd* rows = x + W * part;
    for (int b = 0; b < W; b++) rows[b] = ld(p + B * b + W * part);
    transpose(rows);
  }
}

/** Stores a group back in natural order, or (`transposed`) as is: x[k] at p + W·k. */
inline void storeGroup(double* p, vd* x, bool transposed) {
  if (transposed) {
    for (int k = 0; k < B; k++) st(p + W * k, x[k]);
    return;
  }
  for (int part = 0; part < B / W; part++) {
    vd* rows = x + W * part;
    transpose(rows);
    for (int b = 0; b < W; b++) st(p + B * b + W * part, rows[b]);
  }
}

/** The splatted twiddles of the length-16 stage (the W = 8 tail), for j = 1..3 (j = 0 has none). */
struct Stage16 {
  Twiddles w[4];
};

Stage16 tailTwiddles(const Tables& T) {
  Stage16 s{};
  if constexpr (B == 16) {
    const double* w = T.stages[T.stages.size() - 2].data();  // length 16: W^j, 2 arrays of 4
    for (int j = 1; j < 4; j++) s.w[j] = twiddlesOf(w[j], w[4 + j]);
  }
  return s;
}

/** A radix-4 butterfly (forwardRadix4 or inverseRadix4) on the vectors x[j + kq] of a tail group. */
template <void (*Butterfly)(vd*, vd*, const Twiddles*)>
inline void butterflyAt(vd* xr, vd* xi, int j, int q, const Twiddles* tw) {
  vd r[4] = {xr[j], xr[j + q], xr[j + 2 * q], xr[j + 3 * q]};
  vd i[4] = {xi[j], xi[j + q], xi[j + 2 * q], xi[j + 3 * q]};
  Butterfly(r, i, tw);
  for (int k = 0; k < 4; k++) xr[j + k * q] = r[k], xi[j + k * q] = i[k];
}

/**
 * Pulls a later external product's Fourier GGSW (64 KiB, streamed from memory: the whole key is too big
 * for any cache) into L2 one line per FFT column, so the memory reads overlap the FFT arithmetic.
 */
struct Prefetcher {
  const char* next = nullptr;
  const char* end = nullptr;
  int linesPerStep = 0;
  inline void step() {
    if (next >= end) return;
    for (int k = 0; k < linesPerStep; k++) __builtin_prefetch(next + 64 * k, 0, 2);
    next += 64 * linesPerStep;
  }
};

/** Lines per FFT column so that the 4 FFTs of one external product prefetch a whole GGSW (4N doubles). */
int prefetchLinesPerColumn(const Tables& T) {
  int stages = 0;
  for (int L = T.M; L > B; L /= 4) stages++;
  const int columns = 4 * stages * (T.M / (4 * W));
  const int lines = T.N * 4 * (int)sizeof(double) / 64;
  return (lines + columns - 1) / columns;
}

// The FFT needs M ≥ 256 (M a power of 4). Stages longer than B are whole vectors (quarter ≥ W), and the
// rest (lengths B down to 4, the tail) run on groups of W blocks of B, transposed so that lane = block.
// The forward transform leaves its output transposed; the inverse starts from that layout. In a blind
// rotation the tails and the GGSW product are one pass (multiplyGgswAtTail).

/**
 * One vector stage of length L in place, column by column: each column's twiddles are loaded once for
 * all blocks. Butterfly: forwardRadix4 or inverseRadix4.
 */
template <void (*Butterfly)(vd*, vd*, const Twiddles*)>
void vectorStage(const Tables& T, double* re, double* im, int L, Prefetcher& prefetch) {
  const int q = L / 4;
  const double* w = T.stages[(__builtin_ctz(T.M) - __builtin_ctz(L)) / 2].data();
  for (int j = 0; j < q; j += W) {
    const Twiddles tw = twiddlesAt(w, q, j);
    for (int s = 0; s < T.M; s += L) {
      vd r[4], i[4];
      loadQuad(re + s, im + s, j, q, r, i);
      Butterfly(r, i, &tw);
      storeQuad(re + s, im + s, j, q, r, i);
      prefetch.step();
    }
  }
}

/** The forward vector stages (lengths M down to 4B), in place. */
void forwardStages(const Tables& T, double* re, double* im, Prefetcher& prefetch) {
  for (int L = T.M; L > B; L /= 4) vectorStage<forwardRadix4>(T, re, im, L, prefetch);
}

/** The inverse vector stages (lengths 4B up to M), in place. */
void inverseStages(const Tables& T, double* re, double* im, Prefetcher& prefetch) {
  for (int L = 4 * B; L <= T.M; L *= 4) vectorStage<inverseRadix4>(T, re, im, L, prefetch);
}

/** The forward tail on one group, natural order in, transposed out (lane = block). */
inline void forwardTail(vd* xr, vd* xi, const Stage16& w16) {
  if constexpr (B == 16) {
    for (int j = 0; j < 4; j++) butterflyAt<forwardRadix4>(xr, xi, j, 4, j == 0 ? nullptr : &w16.w[j]);
  }
  for (int s = 0; s < B; s += 4) butterflyAt<forwardRadix4>(xr, xi, s, 1, nullptr);
}

inline void inverseTail(vd* xr, vd* xi, const Stage16& w16) {
  for (int s = 0; s < B; s += 4) butterflyAt<inverseRadix4>(xr, xi, s, 1, nullptr);
  if constexpr (B == 16) {
    for (int j = 0; j < 4; j++) butterflyAt<inverseRadix4>(xr, xi, j, 4, j == 0 ? nullptr : &w16.w[j]);
  }
}

/** The whole forward FFT, in place on [re M | im M] (the Fourier BSK's conversion). */
void forwardFft(const Tables& T, double* re, double* im) {
  Prefetcher none;
  forwardStages(T, re, im, none);
  const Stage16 w16 = tailTwiddles(T);
  for (int g = 0; g < T.M; g += W * B) {
    vd xr[B], xi[B];
    loadGroup(re + g, xr);
    loadGroup(im + g, xi);
    forwardTail(xr, xi, w16);
    storeGroup(re + g, xr, true);
    storeGroup(im + g, xi, true);
  }
}

/**
 * Both digit polys (d0 mask, d1 body; [re M | im M], after the forward stages) through the forward tail,
 * the GGSW product (d0, d1) ← (d0·G00 + d1·G10, d0·G01 + d1·G11) and the inverse tail, a group at a
 * time: one pass over d0, d1 and the GGSW where separate tails and product took five.
 */
void multiplyGgswAtTail(const Tables& T, double* d0, double* d1, const double* g) {
  const int M = T.M;
  const Stage16 w16 = tailTwiddles(T);
  for (int at = 0; at < M; at += W * B) {
    vd ar[B], ai[B], br[B], bi[B];
    loadGroup(d0 + at, ar);
    loadGroup(d0 + M + at, ai);
    forwardTail(ar, ai, w16);
    loadGroup(d1 + at, br);
    loadGroup(d1 + M + at, bi);
    forwardTail(br, bi, w16);
    // Transposed vector k of this group sits at at + W·k: GGSW chunk at/W + k.
    const double* c = g + (size_t)at * 8;
    for (int k = 0; k < B; k++, c += 8 * W) {
      const vd xr = ar[k], xi = ai[k], yr = br[k], yi = bi[k];
      const vd g00r = ld(c), g00i = ld(c + W), g10r = ld(c + 2 * W), g10i = ld(c + 3 * W);
      const vd g01r = ld(c + 4 * W), g01i = ld(c + 5 * W), g11r = ld(c + 6 * W), g11i = ld(c + 7 * W);
      ar[k] = xr * g00r - xi * g00i + yr * g10r - yi * g10i;
      ai[k] = xr * g00i + xi * g00r + yr * g10i + yi * g10r;
      br[k] = xr * g01r - xi * g01i + yr * g11r - yi * g11i;
      bi[k] = xr * g01i + xi * g01r + yr * g11i + yi * g11r;
    }
    inverseTail(ar, ai, w16);
    storeGroup(d0 + at, ar, false);
    storeGroup(d0 + M + at, ai, false);
    inverseTail(br, bi, w16);
    storeGroup(d1 + at, br, false);
    storeGroup(d1 + M + at, bi, false);
  }
}

/** (X^a·P − P)_k for the W values k in [j, j + W): X^a·P has ±P[k − r] at k ≥ r, ∓P[k − r + N] below. */
inline vu rotatedDifference(const uint64_t* P, int j, int N, int r, bool flip) {
  vu rotated;
  if (j >= r) {
    rotated = ldu(P + j - r);
    if (flip) rotated = -rotated;
  } else if (j + W <= r) {
    rotated = ldu(P + j - r + N);
    if (!flip) rotated = -rotated;
  } else {
    for (int k = 0; k < W; k++) {
      const bool wraps = j + k < r;
      const uint64_t src = wraps ? P[j + k - r + N] : P[j + k - r];
      rotated[k] = wraps != flip ? 0 - src : src;
    }
  }
  return rotated - ldu(P + j);
}

/**
 * The balanced level-1 digits of x, round(x / 2^shift) in [−B/2, B/2), as doubles: the top bits of
 * x + rounding, sign-flipped by the XOR with B/2 into [0, B), are placed in the mantissa of 2^52.
 */
inline vd digitsOf(vu x, uint64_t rounding, int shift, uint64_t halfBase) {
  const vu biased = ((x + rounding) >> shift) ^ halfBase;
  const vu two52 = (vu){} + (uint64_t)0x4330000000000000;
  return (vd)(biased | two52) - splat(4503599627370496.0 + (double)halfBase);
}

/**
 * The input of one external product's forward FFT: the digits of X^a·P − P, folded (p_j + i·p_{j+M})
 * and twisted by e^{iπj/N}, into buf = [re M | im M]; one pass instead of a scalar decomposition and a
 * twist. (Fusing the first FFT stage in as well was slower: 4 scattered rotations per column.)
 */
void decomposeTwisted(const Tables& T, const uint64_t* P, double* buf, uint32_t a, int baseLog) {
  const int N = T.N;
  const int M = T.M;
  const int shift = 64 - baseLog;
  const uint64_t rounding = (uint64_t)1 << (shift - 1);
  const uint64_t halfBase = (uint64_t)1 << (baseLog - 1);
  const bool flip = a >= (uint32_t)N;
  const int r = (int)(a & (uint32_t)(N - 1));
  const double* tr = T.twist.data();
  const double* ti = T.twist.data() + M;
  for (int j = 0; j < M; j += W) {
    const vd dr = digitsOf(rotatedDifference(P, j, N, r, flip), rounding, shift, halfBase);
    const vd di = digitsOf(rotatedDifference(P, j + M, N, r, flip), rounding, shift, halfBase);
    const vd twr = ldr(tr + j), twi = ldr(ti + j);
    st(buf + j, dr * twr - di * twi);
    st(buf + M + j, dr * twi + di * twr);
  }
}

/**
 * acc[k] += round(untwisted inverse output) mod 2^64, for the poly in buf = [re M | im M]. The Fourier
 * BSK carries the inverse's 1/M and the torus's 2^-64, so the untwist is a plain e^{−iπj/N}.
 */
void untwistAccumulate(const Tables& T, const double* buf, uint64_t* acc) {
  const int M = T.M;
  const double* tr = T.twist.data();
  const double* ti = T.twist.data() + M;
  for (int j = 0; j < M; j += W) {
    const vd r = ldr(buf + j), i = ldr(buf + M + j), a = ldr(tr + j), b = ldr(ti + j);
    stu(acc + j, ldu(acc + j) + wrapTorus(r * a + i * b));
    stu(acc + M + j, ldu(acc + M + j) + wrapTorus(i * a - r * b));
  }
}

struct Scratch {
  AlignedVector<double> d0, d1;
  /** The accumulator when the caller's is not 64-byte aligned (a BigUint64Array often sits at 16 mod 64). */
  AlignedVector<uint64_t> acc;
};

Scratch& scratchFor(int N) {
  thread_local Scratch s;
  if ((int)s.d0.size() != N) {
    s.d0.assign(N, 0);
    s.d1.assign(N, 0);
    s.acc.assign(2 * N, 0);
  }
  return s;
}

void convertBsk(const uint64_t* standard, double* fourier, int n, int N) {
  const Tables& T = tablesFor(N);
  const int M = N / 2;
  // The inverse FFT's 1/M and the torus's 2^-64, applied here once (exact: a power of two).
  const double scale = 1.0 / ((double)M * 18446744073709551616.0);
  const double* tr = T.twist.data();
  const double* ti = T.twist.data() + M;
  AlignedVector<double> buf(N);
  // Standard order per GGSW: (row, column) = (0,0), (0,1), (1,0), (1,1); chunk slots: G00, G10, G01, G11.
  const int slotOf[4] = {0, 2, 1, 3};
  for (int i = 0; i < n; i++) {
    double* out = fourier + (size_t)i * 4 * N;
    for (int poly = 0; poly < 4; poly++) {
      const uint64_t* p = standard + ((size_t)i * 4 + poly) * N;
      for (int j = 0; j < M; j++) {
        const double re = (double)(int64_t)p[j] * scale, im = (double)(int64_t)p[j + M] * scale;
        buf[j] = re * tr[j] - im * ti[j];
        buf[M + j] = re * ti[j] + im * tr[j];
      }
      forwardFft(T, buf.data(), buf.data() + M);
      const int slot = slotOf[poly];
      for (int j = 0; j < M; j++) {
        double* chunk = out + (j / W) * 8 * W + slot * 2 * W + j % W;
        chunk[0] = buf[j];
        chunk[W] = buf[M + j];
      }
    }
  }
}

void blindRotate(const double* fourier, uint64_t* callerAcc, const uint32_t* mask, int n, int N, int baseLog) {
  const Tables& T = tablesFor(N);
  Scratch& s = scratchFor(N);
  const int M = N / 2;
  double* d0 = s.d0.data();
  double* d1 = s.d1.data();
  // Misaligned, every other 32-byte access of the accumulator splits a cache line (~3% of a rotation).
  const bool copied = reinterpret_cast<uintptr_t>(callerAcc) % 64 != 0;
  uint64_t* acc = callerAcc;
  if (copied) {
    std::copy(callerAcc, callerAcc + 2 * N, s.acc.data());
    acc = s.acc.data();
  }
  uint64_t* accMask = acc;
  uint64_t* accBody = acc + N;
  const int linesPerColumn = prefetchLinesPerColumn(T);
  for (int i = 0; i < n; i++) {
    const uint32_t a = mask[i];
    if (a == 0) continue;
    const double* ggsw = fourier + (size_t)i * 4 * N;
    Prefetcher prefetch;
    prefetch.linesPerStep = linesPerColumn;
    // Two GGSWs ahead: measured, a stream prefetched ~128 KiB ahead reads at twice the speed of one
    // left to the hardware prefetcher.
    if (i + 2 < n) {
      prefetch.next = reinterpret_cast<const char*>(ggsw + 2 * 4 * N);
      prefetch.end = prefetch.next + (size_t)4 * N * sizeof(double);
    }
    decomposeTwisted(T, accMask, d0, a, baseLog);
    forwardStages(T, d0, d0 + M, prefetch);
    decomposeTwisted(T, accBody, d1, a, baseLog);
    forwardStages(T, d1, d1 + M, prefetch);
    multiplyGgswAtTail(T, d0, d1, ggsw);
    inverseStages(T, d0, d0 + M, prefetch);
    untwistAccumulate(T, d0, accMask);
    inverseStages(T, d1, d1 + M, prefetch);
    untwistAccumulate(T, d1, accBody);
  }
  if (copied) std::copy(acc, acc + 2 * N, callerAcc);
}

uint32_t keyswitch(const uint32_t* input, int inputDimension, const int32_t* ksk, int n, int baseLog, int logTwoN,
                   uint32_t* mask) {
  constexpr int LEVELS = 4;
  thread_local std::vector<uint32_t> accStore;
  accStore.assign(n + 1, 0);
  uint32_t* acc = accStore.data();
  const size_t stride = (size_t)n + 1;
  // Body: the input body's high word, rounded by its low word's top bit.
  acc[n] = input[2 * inputDimension + 1] + (input[2 * inputDimension] >> 31);
  const int keptBits = baseLog * LEVELS;
  const int keptShift = 32 - keptBits;
  const uint32_t keptMask = ((uint32_t)1 << keptBits) - 1;
  const uint32_t digitMask = ((uint32_t)1 << baseLog) - 1;
  const int32_t halfBase = 1 << (baseLog - 1);
  for (int i = 0; i < inputDimension; i++) {
    const uint32_t high = input[2 * i + 1];
    uint32_t kept = ((high >> keptShift) + ((high >> (keptShift - 1)) & 1)) & keptMask;
    if (kept == 0) continue;
    int32_t d[LEVELS];
    // Balanced digits from the least significant level (row 3) up; the top carry wraps away.
    for (int j = LEVELS - 1; j >= 0; j--) {
      int32_t digit = (int32_t)(kept & digitMask);
      kept >>= baseLog;
      if (digit >= halfBase) {
        digit -= 2 * halfBase;
        kept++;
      }
      d[j] = digit;
    }
    const uint32_t d0 = (uint32_t)d[0], d1 = (uint32_t)d[1], d2 = (uint32_t)d[2], d3 = (uint32_t)d[3];
    const int32_t* r0 = ksk + (size_t)i * LEVELS * stride;
    const int32_t* r1 = r0 + stride;
    const int32_t* r2 = r1 + stride;
    const int32_t* r3 = r2 + stride;
    // Wrapping u32 arithmetic is exact torus arithmetic.
    for (int k = 0; k <= n; k++) {
      acc[k] -= d0 * (uint32_t)r0[k] + d1 * (uint32_t)r1[k] + d2 * (uint32_t)r2[k] + d3 * (uint32_t)r3[k];
    }
  }
  // Centered modulus switch in integers: with unit u = 2^shift, round(b/u − 1/2 + Σ (round(y_k) − y_k)/2)
  // (y_k = acc_k / u) is floor((2b + Σ (round(y_k)·u − acc_k)) / 2u).
  const int shift = 32 - logTwoN;
  const uint64_t half = (uint64_t)1 << (shift - 1);
  const uint32_t modMask = ((uint32_t)1 << logTwoN) - 1;
  int64_t errors = 0;
  for (int k = 0; k < n; k++) {
    const uint64_t value = acc[k];
    const uint64_t rounded = (value + half) >> shift;
    errors += (int64_t)((rounded << shift) - value);
    mask[k] = (uint32_t)rounded & modMask;
  }
  const int64_t body = (int64_t)acc[n];
  return (uint32_t)((2 * body + errors) >> (shift + 1)) & modMask;
}

}  // namespace

extern const KernelTable table = {FHEKIT_KERNEL_NAME, convertBsk, blindRotate, keyswitch};

}  // namespace FHEKIT_KERNEL_NS
}  // namespace fhekit
