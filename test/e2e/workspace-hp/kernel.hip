// kernel.hip - e2e fixture: already HIP; gets the `hip` language id.
#include <hip/hip_runtime.h>

__global__ void scale(float* x, float a, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) x[i] *= a;
}

int main()
{
    float* x = nullptr;
    hipMalloc(&x, 64 * sizeof(float));
    hipLaunchKernelGGL(scale, dim3(1), dim3(64), 0, 0, x, 2.0f, 64);
    hipDeviceSynchronize();
    hipFree(x);
    return 0;
}
