// nbody-lab: architecture-specific device helpers and host device query.
//
// Everything in here is tuned for NVIDIA GPUs: inline PTX for the hardware
// lane id and for non-coherent global loads, and a __CUDA_ARCH__ switch that
// picks the fast reciprocal square root on Volta and newer.
#pragma once

#include "common.cuh"

// ---------------------------------------------------------------------------
// Inline PTX
// ---------------------------------------------------------------------------

// Hardware lane id from the %laneid special register. Cheaper than
// threadIdx.x % 32 when the block is not one-dimensional.
__device__ __forceinline__ unsigned int ptx_lane_id() {
    unsigned int id;
    asm volatile("mov.u32 %0, %%laneid;" : "=r"(id));
    return id;
}

// Read-only load of a float4 through the non-coherent texture path. The data
// must not be written by any thread during the lifetime of the kernel.
__device__ __forceinline__ float4 ptx_load_nc(const float4* ptr) {
    float4 v;
    asm volatile("ld.global.nc.v4.f32 {%0, %1, %2, %3}, [%4];"
                 : "=f"(v.x), "=f"(v.y), "=f"(v.z), "=f"(v.w)
                 : "l"(ptr));
    return v;
}

// ---------------------------------------------------------------------------
// Reciprocal square root of the softened distance
// ---------------------------------------------------------------------------

// 1 / sqrt(r2 + eps2). On sm_70+ the hardware rsqrtf is accurate enough for
// the force sum; older parts use the IEEE path plus one Newton step because
// their approximate rsqrt drifts the energy over long runs.
__device__ __forceinline__ float softened_rsqrt(float r2, float eps2) {
    float x = r2 + eps2;
#if __CUDA_ARCH__ >= 700
    return rsqrtf(x);
#else
    float y = 1.0f / sqrtf(x);
    y = y * (1.5f - 0.5f * x * y * y);
    return y;
#endif
}

// ---------------------------------------------------------------------------
// Host side (arch.cu)
// ---------------------------------------------------------------------------

struct DeviceInfo {
    int  device;
    int  sm_count;
    int  warp_size;
    int  major;
    int  minor;
    int  max_threads_per_block;
    size_t shared_per_block;
    size_t global_mem;
    int  l2_bytes;
    int  clock_khz;
    bool async_engines;
    bool volta_or_newer;
    char name[256];
};

// Select a device, fill DeviceInfo and print a short report. Exits when no
// CUDA device is present or the device is older than compute capability 6.0.
DeviceInfo query_device(int device, bool verbose);

// Pick a block size for the force kernel from the occupancy calculator.
int suggest_force_block(const DeviceInfo& info);

// Launch a one-warp probe kernel and verify that the hardware lane id agrees
// with threadIdx.x % WARP_SIZE. Returns true when they agree.
bool probe_lane_layout(cudaStream_t stream);
