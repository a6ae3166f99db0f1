// host.cpp - e2e fixture: plain C++ that uses the CUDA runtime, so HIP Porter analyses it.
#include <cuda_runtime.h>

int main()
{
    int count = 0;
    cudaGetDeviceCount(&count);
    return count > 0 ? 0 : 1;
}
