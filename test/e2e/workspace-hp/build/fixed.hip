// Build fixture for the in-host hipcc test (test/e2e/suite/hipcc-build.test.ts):
// line 7 calls an undeclared function (error at column 3); fixed.hip is the same file, compiling.
#include <hip/hip_runtime.h>

__global__ void scale(float *x, float a, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  (void)0;
  if (i < n) x[i] *= a;
}
