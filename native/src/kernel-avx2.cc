#define FHEKIT_KERNEL_NS avx2
#define FHEKIT_KERNEL_NAME "avx2+fma"
#define FHEKIT_KERNEL_W 4
#include "kernel-impl.h"
