#define FHEKIT_KERNEL_NS avx512
#define FHEKIT_KERNEL_NAME "avx512f"
#define FHEKIT_KERNEL_W 8
#include "kernel-impl.h"
