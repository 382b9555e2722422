#define FHEKIT_KERNEL_NS avx2
#define FHEKIT_KERNEL_NAME "avx2+fma"
#include "kernel-impl.h"
