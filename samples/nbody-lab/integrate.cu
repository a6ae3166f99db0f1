// nbody-lab: all-pairs gravitational forces and kick-drift-kick leapfrog.
//
// Two force kernels are provided:
//   * compute_forces_tiled: the classic shared-memory scheme. Each block
//     stages blockDim.x source bodies in shared memory, every thread then
//     accumulates the pull of the whole tile on its own body. O(N^2) work,
//     O(N) global traffic per tile.
//   * compute_forces_warp: one warp per target body; the 32 lanes stride
//     over the sources and combine their partial sums with __shfl_xor_sync.
//     Faster for small N where the tiled kernel cannot fill the GPU.
#include "integrate.cuh"
#include "arch.cuh"

// Parameters shared by every kernel in this file. Written by upload_params().
__constant__ SimParams c_params;

// ---------------------------------------------------------------------------
// Pair interaction
// ---------------------------------------------------------------------------

// Accumulate the acceleration that body j exerts on body i, and the
// potential contribution -m_j / r. G is applied once at the end.
__device__ __forceinline__ void body_body(float3 pi, float4 pj, float eps2,
                                          float3& acc, float& phi) {
    const float3 d = f3_sub(f4_xyz(pj), pi);
    const float r2 = f3_norm2(d);
    const float inv_r = softened_rsqrt(r2, eps2);
    const float inv_r3 = inv_r * inv_r * inv_r;
    const float s = pj.w * inv_r3;
    acc = f3_fma(acc, d, s);
    phi -= pj.w * inv_r;
}

// ---------------------------------------------------------------------------
// Tiled force kernel
// ---------------------------------------------------------------------------

__global__ void __launch_bounds__(1024)
compute_forces_tiled(const float4* __restrict__ pos, float4* __restrict__ acc) {
    extern __shared__ float4 tile[];

    const int n = c_params.n;
    const float eps2 = c_params.softening2;
    const int i = global_tid();

    // Threads past the end still take part in loading tiles, so they must
    // not return early; they just skip the final store.
    float3 pi = f3(0.0f, 0.0f, 0.0f);
    float mi = 0.0f;
    if (i < n) {
        const float4 p = ptx_load_nc(pos + i);
        pi = f4_xyz(p);
        mi = p.w;
    }

    float3 a = f3(0.0f, 0.0f, 0.0f);
    float phi = 0.0f;

    for (int base = 0; base < n; base += blockDim.x) {
        const int j = base + threadIdx.x;
        // Zero-mass padding contributes nothing to either sum.
        tile[threadIdx.x] = (j < n) ? __ldg(pos + j) : make_float4(0.0f, 0.0f, 0.0f, 0.0f);
        __syncthreads();

        const int count = min(static_cast<int>(blockDim.x), n - base);
#pragma unroll 8
        for (int k = 0; k < count; ++k) {
            body_body(pi, tile[k], eps2, a, phi);
        }
        __syncthreads();
    }

    if (i < n) {
        // The self-interaction added -m_i / eps to phi and nothing to the
        // acceleration (d = 0); take the potential term back out.
        phi += mi * rsqrtf(eps2);
        const float G = c_params.G;
        acc[i] = f4_from(f3_scale(a, G), G * phi);
    }
}

// ---------------------------------------------------------------------------
// Warp-per-body force kernel
// ---------------------------------------------------------------------------

// Butterfly sum across the 32 lanes of a warp; every lane ends with the total.
__device__ __forceinline__ float warp_allreduce(float v) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        v += __shfl_xor_sync(0xffffffff, v, offset);
    }
    return v;
}

__global__ void compute_forces_warp(const float4* __restrict__ pos, float4* __restrict__ acc) {
    const int n = c_params.n;
    const float eps2 = c_params.softening2;
    const int warps_per_block = blockDim.x / 32;
    const int lane = threadIdx.x % 32;
    const int body = blockIdx.x * warps_per_block + threadIdx.x / 32;

    // The whole warp exits together, so the full-mask shuffles below are safe.
    if (body >= n) return;

    const float4 p = __ldg(pos + body);
    const float3 pi = f4_xyz(p);
    float3 a = f3(0.0f, 0.0f, 0.0f);
    float phi = 0.0f;
    for (int j = lane; j < n; j += WARP_SIZE) {
        if (j == body) continue;
        body_body(pi, __ldg(pos + j), eps2, a, phi);
    }

    a.x = warp_allreduce(a.x);
    a.y = warp_allreduce(a.y);
    a.z = warp_allreduce(a.z);
    phi = warp_allreduce(phi);

    if (lane == 0) {
        const float G = c_params.G;
        acc[body] = f4_from(f3_scale(a, G), G * phi);
    }
}

// ---------------------------------------------------------------------------
// Leapfrog steps
// ---------------------------------------------------------------------------

__global__ void kick_kernel(float4* __restrict__ vel, const float4* __restrict__ acc,
                            float fraction) {
    const int n = c_params.n;
    const float h = fraction * c_params.dt;
    for (int i = global_tid(); i < n; i += grid_threads()) {
        const float4 v = vel[i];
        const float3 nv = f3_fma(f4_xyz(v), f4_xyz(acc[i]), h);
        vel[i] = f4_from(nv, v.w);
    }
}

__global__ void drift_kernel(float4* __restrict__ pos, const float4* __restrict__ vel) {
    const int n = c_params.n;
    const float dt = c_params.dt;
    for (int i = global_tid(); i < n; i += grid_threads()) {
        const float4 p = pos[i];
        const float3 np = f3_fma(f4_xyz(p), f4_xyz(vel[i]), dt);
        pos[i] = f4_from(np, p.w);
    }
}

// Two half kicks back to back collapse into a full kick, followed by the
// drift of the next step. Damping is applied once per full kick.
__global__ void kick_drift_kernel(float4* __restrict__ pos, float4* __restrict__ vel,
                                  const float4* __restrict__ acc) {
    const int n = c_params.n;
    const float dt = c_params.dt;
    const float damping = c_params.damping;
    for (int i = global_tid(); i < n; i += grid_threads()) {
        const float4 v4 = vel[i];
        float3 v = f3_fma(f4_xyz(v4), f4_xyz(acc[i]), dt);
        v = f3_scale(v, damping);
        vel[i] = f4_from(v, v4.w);
        const float4 p = pos[i];
        pos[i] = f4_from(f3_fma(f4_xyz(p), v, dt), p.w);
    }
}

__global__ void shift_velocity_kernel(float4* __restrict__ vel, float3 dv) {
    const int n = c_params.n;
    for (int i = global_tid(); i < n; i += grid_threads()) {
        const float4 v = vel[i];
        vel[i] = f4_from(f3_sub(f4_xyz(v), dv), v.w);
    }
}

// ---------------------------------------------------------------------------
// Host wrappers
// ---------------------------------------------------------------------------

void upload_params(const SimParams& params) {
    CUDA_CHECK(cudaMemcpyToSymbol(c_params, &params, sizeof(SimParams)));
}

SimParams download_params() {
    SimParams p;
    CUDA_CHECK(cudaMemcpyFromSymbol(&p, c_params, sizeof(SimParams)));
    return p;
}

const void* force_kernel_symbol() {
    return reinterpret_cast<const void*>(&compute_forces_tiled);
}

size_t force_kernel_smem(int block) {
    return static_cast<size_t>(block) * sizeof(float4);
}

// Element-wise kernels use a fixed block and a grid capped at a few waves;
// the grid-stride loops pick up the rest.
static int elementwise_grid(int n) {
    return min(div_up(n, NBODY_BLOCK), 4096);
}

void launch_forces(const DeviceState& s, ForceMode mode, int block, cudaStream_t stream) {
    if (mode == ForceMode::Tiled) {
        const int grid = div_up(s.n, block);
        compute_forces_tiled<<<grid, block, force_kernel_smem(block), stream>>>(s.pos, s.acc);
    } else {
        // 8 warps per block, one body per warp.
        const int threads = 8 * WARP_SIZE;
        const int grid = div_up(s.n, threads / WARP_SIZE);
        compute_forces_warp<<<grid, threads, 0, stream>>>(s.pos, s.acc);
    }
    CUDA_CHECK_LAUNCH();
}

void launch_kick(const DeviceState& s, float fraction, cudaStream_t stream) {
    kick_kernel<<<elementwise_grid(s.n), NBODY_BLOCK, 0, stream>>>(s.vel, s.acc, fraction);
    CUDA_CHECK_LAUNCH();
}

void launch_drift(const DeviceState& s, cudaStream_t stream) {
    drift_kernel<<<elementwise_grid(s.n), NBODY_BLOCK, 0, stream>>>(s.pos, s.vel);
    CUDA_CHECK_LAUNCH();
}

void launch_kick_drift(const DeviceState& s, cudaStream_t stream) {
    kick_drift_kernel<<<elementwise_grid(s.n), NBODY_BLOCK, 0, stream>>>(s.pos, s.vel, s.acc);
    CUDA_CHECK_LAUNCH();
}

void launch_shift_velocity(const DeviceState& s, float3 dv, cudaStream_t stream) {
    shift_velocity_kernel<<<elementwise_grid(s.n), NBODY_BLOCK, 0, stream>>>(s.vel, dv);
    CUDA_CHECK_LAUNCH();
}
