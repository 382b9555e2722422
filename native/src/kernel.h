// The native PBS kernels, compiled once per instruction set (kernel-*.cc include kernel-impl.h inside
// their own namespace, each with its own -m flags); addon.cc picks one at load time.
#pragma once
#include <cstddef>
#include <cstdint>

namespace fhekit {

struct KernelTable {
  const char* name;
  /** Standard-domain GGSWs (n × 4 polys of N u64) → Fourier BSK (n × 4N f64, see kernel-impl.h). */
  void (*convertBsk)(const uint64_t* standard, double* fourier, int n, int N);
  /** In place on acc = [mask poly, body poly] (2N u64): ACC += ExtProd(BSK_i, X^{mask_i}·ACC − ACC). */
  void (*blindRotate)(const double* fourier, uint64_t* acc, const uint32_t* mask, int n, int N, int baseLog);
  /** Level-4 keyswitch + centered modulus switch; writes mask (n values in [0, 2^logTwoN)), returns the body. */
  uint32_t (*keyswitch)(const uint32_t* inputLimbs, int inputDimension, const int32_t* ksk, int n, int baseLog,
                        int logTwoN, uint32_t* mask);
};

namespace avx512 { extern const KernelTable table; }
namespace avx2 { extern const KernelTable table; }
namespace portable { extern const KernelTable table; }

}  // namespace fhekit
