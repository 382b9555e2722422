#define FHEKIT_KERNEL_NS portable
#define FHEKIT_KERNEL_NAME "portable"
#define FHEKIT_KERNEL_W 8
#include "kernel-impl.h"
