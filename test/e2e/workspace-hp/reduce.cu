// reduce.cu - e2e fixture: known CUDA porting hazards at known places.
#include <cuda_runtime.h>

__device__ float warpSum(float v)
{
    for (int offset = 16; offset > 0; offset >>= 1)
        v += __shfl_down_sync(0xffffffff, v, offset);
    return v;
}

__global__ void reduce(const float* in, float* out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    int lane = threadIdx.x % 32;
    float v = (i < n) ? in[i] : 0.0f;
    v = warpSum(v);
    unsigned long long active = __activemask();
    if (lane == 0 && active) atomicAdd(out, v);
}

int main()
{
    float* d = nullptr;
    float* s = nullptr;
    cudaMalloc(&d, 1024 * sizeof(float));
    cudaMalloc(&s, sizeof(float));
    reduce<<<4, 256>>>(d, s, 1024);
    cudaDeviceSynchronize();
    cudaFree(d);
    cudaFree(s);
    return 0;
}
