#define FHEKIT_KERNEL_NS avx512
#define FHEKIT_KERNEL_NAME "avx512f"
#include "kernel-impl.h"
