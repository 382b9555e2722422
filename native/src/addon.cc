// Node-API binding of the native PBS kernels. Arrays come in as typed arrays (over ArrayBuffers or
// SharedArrayBuffers, so worker threads read one shared key); sizes are checked in the TypeScript
// wrapper (src/engine/native/), and again here against the typed arrays' lengths, so a wrong call
// throws instead of reading out of bounds.
#include <node_api.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "kernel.h"

namespace {

using fhekit::KernelTable;

/** The variants this CPU can run, fastest first (the x86 ones are built on x86-64 only). */
std::vector<const KernelTable*> supportedKernels() {
  std::vector<const KernelTable*> kernels;
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) kernels.push_back(&fhekit::avx512::table);
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) kernels.push_back(&fhekit::avx2::table);
#endif
  kernels.push_back(&fhekit::portable::table);
  return kernels;
}

/**
 * The fastest supported variant, or the one FHEKIT_NATIVE_ISA names (avx512f, avx2+fma, portable) when
 * this CPU supports it: how tests run the slower variants on a fast machine.
 */
const KernelTable* selectedKernel() {
  static const KernelTable* kernel = [] {
    const std::vector<const KernelTable*> kernels = supportedKernels();
    const char* forced = std::getenv("FHEKIT_NATIVE_ISA");
    for (const KernelTable* t : kernels) {
      if (forced != nullptr && std::strcmp(t->name, forced) == 0) return t;
    }
    return kernels.front();
  }();
  return kernel;
}

bool throwIfFailed(napi_env env, napi_status status, const char* what) {
  if (status == napi_ok) return false;
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_type_error(env, nullptr, what);
  return true;
}

struct Arguments {
  napi_value values[8];
  size_t count = 8;
};

bool getArgs(napi_env env, napi_callback_info info, Arguments& args, size_t expected) {
  if (throwIfFailed(env, napi_get_cb_info(env, info, &args.count, args.values, nullptr, nullptr), "bad call"))
    return false;
  if (args.count < expected) {
    napi_throw_type_error(env, nullptr, "missing arguments");
    return false;
  }
  return true;
}

/** The data of a typed array of `type` with at least `minLength` elements. */
template <class T>
T* typedArray(napi_env env, napi_value value, napi_typedarray_type type, size_t minLength, const char* name) {
  bool is = false;
  napi_is_typedarray(env, value, &is);
  napi_typedarray_type actual;
  size_t length = 0;
  void* data = nullptr;
  if (is && napi_get_typedarray_info(env, value, &actual, &length, &data, nullptr, nullptr) == napi_ok &&
      actual == type && length >= minLength && (data != nullptr || minLength == 0)) {
    return static_cast<T*>(data);
  }
  napi_throw_range_error(env, nullptr, (std::string(name) + ": wrong typed array or too short").c_str());
  return nullptr;
}

bool getInt(napi_env env, napi_value value, int32_t& out, int32_t min, int32_t max, const char* name) {
  if (napi_get_value_int32(env, value, &out) == napi_ok && out >= min && out <= max) return true;
  napi_throw_range_error(env, nullptr, (std::string(name) + " out of range").c_str());
  return false;
}

bool validRingSize(int32_t N) {
  // N/2 a power of 4, at least 256 (see forwardFft).
  if (N < 512 || (N & (N - 1)) != 0) return false;
  int log = 0;
  while ((1 << log) < N / 2) log++;
  return log % 2 == 0;
}

/** The LWE dimension n and ring size N of a blind rotation, range-checked; N as the native FFT needs it. */
bool getRotationDimensions(napi_env env, napi_value nValue, napi_value NValue, int32_t& n, int32_t& N) {
  if (!getInt(env, nValue, n, 1, 1 << 16, "n") || !getInt(env, NValue, N, 32, 1 << 16, "N")) return false;
  if (validRingSize(N)) return true;
  napi_throw_range_error(env, nullptr, "N/2 must be a power of 4, at least 256");
  return false;
}

/**
 * The Fourier BSK starts at the first 64-byte boundary of its array, which holds FOURIER_SLACK more
 * doubles for that: V8 places a large SharedArrayBuffer at 16 mod 64, where every other 32-byte load of
 * the key straddles two cache lines. The array's address is the same in every thread, so is the start.
 */
constexpr size_t FOURIER_SLACK = 8;

size_t fourierLength(int32_t n, int32_t N) { return (size_t)n * 4 * N + FOURIER_SLACK; }

double* fourierStart(double* data) {
  return reinterpret_cast<double*>((reinterpret_cast<uintptr_t>(data) + 63) & ~(uintptr_t)63);
}

napi_value Kernel(napi_env env, napi_callback_info) {
  napi_value result;
  napi_create_string_utf8(env, selectedKernel()->name, NAPI_AUTO_LENGTH, &result);
  return result;
}

// fourierLength(n, N): the doubles a Fourier BSK array must hold
napi_value FourierLength(napi_env env, napi_callback_info info) {
  Arguments args;
  if (!getArgs(env, info, args, 2)) return nullptr;
  int32_t n, N;
  if (!getRotationDimensions(env, args.values[0], args.values[1], n, N)) return nullptr;
  napi_value result;
  napi_create_double(env, (double)fourierLength(n, N), &result);
  return result;
}

// convertBsk(standard: BigUint64Array, fourier: Float64Array (fourierLength), n, N)
napi_value ConvertBsk(napi_env env, napi_callback_info info) {
  Arguments args;
  if (!getArgs(env, info, args, 4)) return nullptr;
  int32_t n, N;
  if (!getRotationDimensions(env, args.values[2], args.values[3], n, N)) return nullptr;
  const size_t length = (size_t)n * 4 * N;
  auto* standard = typedArray<uint64_t>(env, args.values[0], napi_biguint64_array, length, "standard BSK");
  if (standard == nullptr) return nullptr;
  auto* fourier = typedArray<double>(env, args.values[1], napi_float64_array, fourierLength(n, N), "Fourier BSK");
  if (fourier == nullptr) return nullptr;
  selectedKernel()->convertBsk(standard, fourierStart(fourier), n, N);
  return nullptr;
}

// blindRotate(fourier: Float64Array (fourierLength), acc: BigUint64Array (in place), mask: Uint32Array, n, N, baseLog)
napi_value BlindRotate(napi_env env, napi_callback_info info) {
  Arguments args;
  if (!getArgs(env, info, args, 6)) return nullptr;
  int32_t n, N, baseLog;
  if (!getRotationDimensions(env, args.values[3], args.values[4], n, N) ||
      !getInt(env, args.values[5], baseLog, 1, 31, "baseLog"))
    return nullptr;
  auto* fourier = typedArray<double>(env, args.values[0], napi_float64_array, fourierLength(n, N), "Fourier BSK");
  if (fourier == nullptr) return nullptr;
  auto* acc = typedArray<uint64_t>(env, args.values[1], napi_biguint64_array, (size_t)2 * N, "accumulator");
  if (acc == nullptr) return nullptr;
  auto* mask = typedArray<uint32_t>(env, args.values[2], napi_uint32_array, (size_t)n, "mask");
  if (mask == nullptr) return nullptr;
  for (int32_t i = 0; i < n; i++) {
    if (mask[i] >= (uint32_t)(2 * N)) {
      napi_throw_range_error(env, nullptr, "mask value outside [0, 2N)");
      return nullptr;
    }
  }
  selectedKernel()->blindRotate(fourierStart(fourier), acc, mask, n, N, baseLog);
  return nullptr;
}

// keyswitch(input: Uint32Array (limbs), ksk: Int32Array, inputDimension, n, baseLog, logTwoN, mask: Uint32Array) → body
napi_value Keyswitch(napi_env env, napi_callback_info info) {
  Arguments args;
  if (!getArgs(env, info, args, 7)) return nullptr;
  int32_t inputDimension, n, baseLog, logTwoN;
  if (!getInt(env, args.values[2], inputDimension, 1, 1 << 20, "inputDimension") ||
      !getInt(env, args.values[3], n, 1, 1 << 16, "n") || !getInt(env, args.values[4], baseLog, 1, 7, "baseLog") ||
      !getInt(env, args.values[5], logTwoN, 1, 31, "logTwoN"))
    return nullptr;
  auto* input =
      typedArray<uint32_t>(env, args.values[0], napi_uint32_array, (size_t)2 * (inputDimension + 1), "input");
  if (input == nullptr) return nullptr;
  auto* ksk = typedArray<int32_t>(env, args.values[1], napi_int32_array, (size_t)inputDimension * 4 * (n + 1),
                                  "keyswitching key");
  if (ksk == nullptr) return nullptr;
  auto* mask = typedArray<uint32_t>(env, args.values[6], napi_uint32_array, (size_t)n, "mask");
  if (mask == nullptr) return nullptr;
  const uint32_t body = selectedKernel()->keyswitch(input, inputDimension, ksk, n, baseLog, logTwoN, mask);
  napi_value result;
  napi_create_uint32(env, body, &result);
  return result;
}

}  // namespace

NAPI_MODULE_INIT() {
  const napi_property_descriptor properties[] = {
      {"kernel", nullptr, Kernel, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"fourierLength", nullptr, FourierLength, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"convertBsk", nullptr, ConvertBsk, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"blindRotate", nullptr, BlindRotate, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"keyswitch", nullptr, Keyswitch, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties);
  return exports;
}
