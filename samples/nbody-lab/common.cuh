// nbody-lab: shared definitions for every translation unit.
//
// This header is included by all .cu files. It holds the error-checking
// macros, the simulation parameter block, the body layout, and small vector
// helpers. The vector helpers are deliberately plain named functions
// (f3_add, f4_xyz, ...) rather than overloaded operators: some toolchains
// already ship operator overloads for the built-in vector types and a second
// definition would be ambiguous.
#pragma once

#include <cuda_runtime.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

// ---------------------------------------------------------------------------
// Error handling
// ---------------------------------------------------------------------------

// Every runtime call goes through CUDA_CHECK so that a failure reports the
// file and line of the call instead of surfacing later as a sticky error.
#define CUDA_CHECK(call)                                                        \
    do {                                                                        \
        cudaError_t err_ = (call);                                              \
        if (err_ != cudaSuccess) {                                              \
            std::fprintf(stderr, "CUDA error %s (%d) at %s:%d: %s\n",           \
                         cudaGetErrorName(err_), static_cast<int>(err_),        \
                         __FILE__, __LINE__, cudaGetErrorString(err_));         \
            std::exit(EXIT_FAILURE);                                            \
        }                                                                       \
    } while (0)

// Kernel launches do not return an error code; check the launch itself and,
// in debug builds, wait for the kernel so that faults are attributed to it.
#ifdef NBODY_DEBUG_SYNC
#define CUDA_CHECK_LAUNCH()                                                     \
    do {                                                                        \
        CUDA_CHECK(cudaGetLastError());                                         \
        CUDA_CHECK(cudaDeviceSynchronize());                                    \
    } while (0)
#else
#define CUDA_CHECK_LAUNCH() CUDA_CHECK(cudaGetLastError())
#endif

// ---------------------------------------------------------------------------
// Launch geometry
// ---------------------------------------------------------------------------

// The reduction and ballot code below is written for 32-thread warps.
#define WARP_SIZE 32
#define FULL_MASK 0xffffffffu

// Default block size for the body-parallel kernels. Must be a multiple of
// WARP_SIZE and no larger than 1024.
#define NBODY_BLOCK 256

// Width of the shared-memory tile used by the all-pairs force kernel.
#define FORCE_TILE 128

// Number of radial bins in the density histogram.
#define RADIAL_BINS 64

static_assert(NBODY_BLOCK % WARP_SIZE == 0, "block size must be a whole number of warps");
static_assert(NBODY_BLOCK <= 1024, "block size exceeds the CUDA limit");

// ---------------------------------------------------------------------------
// Simulation parameters (mirrored into __constant__ memory, see integrate.cu)
// ---------------------------------------------------------------------------

struct SimParams {
    int   n;              // number of bodies
    float dt;             // time step
    float softening2;     // Plummer softening length squared
    float G;              // gravitational constant in model units
    float escape_radius;  // bodies beyond this radius count as escapers
    float damping;        // velocity damping per step (1.0 = none)
    float hist_rmax;      // outer edge of the radial histogram
    int   steps;          // number of leapfrog steps to run
};

// Diagnostics produced by the reduction module for one snapshot.
struct Diagnostics {
    double kinetic;      // sum 1/2 m v^2
    double potential;    // 1/2 sum m_i phi_i
    double px, py, pz;   // total momentum
    float  max_speed;    // largest |v|
    int    escapers;     // bodies with r > escape_radius
    unsigned int radial_hist[RADIAL_BINS];
};

// ---------------------------------------------------------------------------
// Host/device vector helpers (named functions, no operator overloads)
// ---------------------------------------------------------------------------

__host__ __device__ __forceinline__ float3 f3(float x, float y, float z) {
    return make_float3(x, y, z);
}

__host__ __device__ __forceinline__ float3 f3_add(float3 a, float3 b) {
    return make_float3(a.x + b.x, a.y + b.y, a.z + b.z);
}

__host__ __device__ __forceinline__ float3 f3_sub(float3 a, float3 b) {
    return make_float3(a.x - b.x, a.y - b.y, a.z - b.z);
}

__host__ __device__ __forceinline__ float3 f3_scale(float3 a, float s) {
    return make_float3(a.x * s, a.y * s, a.z * s);
}

// a + b * s, the shape of every leapfrog update.
__host__ __device__ __forceinline__ float3 f3_fma(float3 a, float3 b, float s) {
    return make_float3(fmaf(b.x, s, a.x), fmaf(b.y, s, a.y), fmaf(b.z, s, a.z));
}

__host__ __device__ __forceinline__ float f3_dot(float3 a, float3 b) {
    return a.x * b.x + a.y * b.y + a.z * b.z;
}

__host__ __device__ __forceinline__ float f3_norm2(float3 a) {
    return f3_dot(a, a);
}

// Bodies are stored as float4: xyz = position (or velocity), w = mass.
__host__ __device__ __forceinline__ float3 f4_xyz(float4 a) {
    return make_float3(a.x, a.y, a.z);
}

__host__ __device__ __forceinline__ float4 f4_from(float3 a, float w) {
    return make_float4(a.x, a.y, a.z, w);
}

// ---------------------------------------------------------------------------
// Small device helpers
// ---------------------------------------------------------------------------

// Global thread index for a 1-D launch.
__device__ __forceinline__ int global_tid() {
    return blockIdx.x * blockDim.x + threadIdx.x;
}

// Total threads in a 1-D grid, for grid-stride loops.
__device__ __forceinline__ int grid_threads() {
    return gridDim.x * blockDim.x;
}

// Lane and warp of the calling thread within its block.
__device__ __forceinline__ int lane_of_thread() {
    return threadIdx.x % 32;
}

__device__ __forceinline__ int warp_of_thread() {
    return threadIdx.x / 32;
}

// Map a radius to a histogram bin, clamping to the last bin.
__host__ __device__ __forceinline__ int radial_bin(float r, float rmax) {
    int b = static_cast<int>(r / rmax * RADIAL_BINS);
    if (b < 0) b = 0;
    if (b >= RADIAL_BINS) b = RADIAL_BINS - 1;
    return b;
}

// Ceiling division for grid sizes.
__host__ __device__ __forceinline__ int div_up(int a, int b) {
    return (a + b - 1) / b;
}

// ---------------------------------------------------------------------------
// Device buffers shared by the modules
// ---------------------------------------------------------------------------

struct DeviceState {
    float4* pos;        // xyz position, w mass
    float4* vel;        // xyz velocity, w unused (kept for 16-byte loads)
    float4* acc;        // xyz acceleration, w potential phi_i
    int    n;
};
