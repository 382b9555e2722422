#define FHEKIT_KERNEL_NS portable
#define FHEKIT_KERNEL_NAME "portable"
#include "kernel-impl.h"
