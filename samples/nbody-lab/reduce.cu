// nbody-lab: reductions for energy, momentum, speed, escapers and the
// radial density profile.
//
// All reductions are two-level: a warp reduces with register shuffles, lane 0
// of every warp parks its value in shared memory, and warp 0 reduces those.
// The first pass writes one partial per block so that the final sum is
// deterministic (no floating-point atomics on the totals).
#include "reduce.cuh"
#include "arch.cuh"

#include <algorithm>
#include <cstring>

// ---------------------------------------------------------------------------
// Warp and block primitives
// ---------------------------------------------------------------------------

__device__ __forceinline__ double warp_reduce_sum(double v) {
    for (int offset = 16; offset > 0; offset /= 2) {
        v += __shfl_down_sync(0xffffffff, v, offset);
    }
    return v;
}

__device__ __forceinline__ float warp_reduce_max(float v) {
    for (int offset = WARP_SIZE / 2; offset > 0; offset /= 2) {
        v = fmaxf(v, __shfl_down_sync(FULL_MASK, v, offset));
    }
    return v;
}

// Sum `v` over the whole block. The result is valid in thread 0 only.
// `scratch` must hold one element per warp.
__device__ double block_reduce_sum(double v, double* scratch) {
    const int lane = threadIdx.x % 32;
    const int warp = threadIdx.x / 32;
    const int num_warps = blockDim.x / 32;

    v = warp_reduce_sum(v);
    if (lane == 0) scratch[warp] = v;
    __syncthreads();

    v = (static_cast<int>(threadIdx.x) < num_warps) ? scratch[lane] : 0.0;
    if (warp == 0) v = warp_reduce_sum(v);
    __syncthreads();  // scratch may be reused by the caller right away
    return v;
}

// ---------------------------------------------------------------------------
// Energy and momentum: first pass (per block) and second pass (one block)
// ---------------------------------------------------------------------------

__global__ void __launch_bounds__(NBODY_BLOCK)
moments_partial_kernel(const float4* __restrict__ pos, const float4* __restrict__ vel,
                       const float4* __restrict__ acc, int n, double* __restrict__ partials) {
    __shared__ double scratch[NBODY_BLOCK / 32];

    double m[NUM_MOMENTS] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    for (int i = global_tid(); i < n; i += grid_threads()) {
        const float mass = pos[i].w;
        const float3 v = f4_xyz(vel[i]);
        m[MOMENT_KINETIC] += 0.5 * mass * f3_norm2(v);
        // Each pair is counted twice in phi_i, hence the 1/2.
        m[MOMENT_POTENTIAL] += 0.5 * mass * acc[i].w;
        m[MOMENT_PX] += static_cast<double>(mass) * v.x;
        m[MOMENT_PY] += static_cast<double>(mass) * v.y;
        m[MOMENT_PZ] += static_cast<double>(mass) * v.z;
        m[MOMENT_MASS] += mass;
    }

#pragma unroll
    for (int k = 0; k < NUM_MOMENTS; ++k) {
        const double total = block_reduce_sum(m[k], scratch);
        if (threadIdx.x == 0) partials[blockIdx.x * NUM_MOMENTS + k] = total;
    }
}

__global__ void __launch_bounds__(NBODY_BLOCK)
moments_final_kernel(const double* __restrict__ partials, int blocks, double* __restrict__ out) {
    __shared__ double scratch[NBODY_BLOCK / 32];
    for (int k = 0; k < NUM_MOMENTS; ++k) {
        double v = 0.0;
        for (int b = threadIdx.x; b < blocks; b += blockDim.x) {
            v += partials[b * NUM_MOMENTS + k];
        }
        v = block_reduce_sum(v, scratch);
        if (threadIdx.x == 0) out[k] = v;
    }
}

// ---------------------------------------------------------------------------
// Largest speed: float max through integer atomics
// ---------------------------------------------------------------------------

// For non-negative floats the IEEE bit pattern orders like an unsigned int,
// so atomicMax on the bits is a float max.
__global__ void __launch_bounds__(NBODY_BLOCK)
max_speed_kernel(const float4* __restrict__ vel, int n, unsigned int* __restrict__ out_bits) {
    __shared__ float warp_max[NBODY_BLOCK / 32];
    const int lane = threadIdx.x % 32;
    const int warp = threadIdx.x / 32;

    float best = 0.0f;
    for (int i = global_tid(); i < n; i += grid_threads()) {
        best = fmaxf(best, sqrtf(f3_norm2(f4_xyz(vel[i]))));
    }
    best = warp_reduce_max(best);
    if (lane == 0) warp_max[warp] = best;
    __syncthreads();

    if (warp == 0) {
        best = (lane < NBODY_BLOCK / 32) ? warp_max[lane] : 0.0f;
        best = warp_reduce_max(best);
        if (lane == 0) atomicMax(out_bits, __float_as_uint(best));
    }
}

// ---------------------------------------------------------------------------
// Escapers: warp vote + population count
// ---------------------------------------------------------------------------

// Counts bodies with |x| > escape radius. Every lane of a warp must reach the
// ballot, so the loop runs over n rounded up to whole warps and lanes past
// the end vote "no".
__global__ void __launch_bounds__(NBODY_BLOCK)
count_escapers_kernel(const float4* __restrict__ pos, int n, float escape_r2,
                      int* __restrict__ escapers) {
    const int lane = threadIdx.x % 32;
    const int padded = div_up(n, WARP_SIZE) * WARP_SIZE;
    int local = 0;
    for (int i = global_tid(); i < padded; i += grid_threads()) {
        bool out = false;
        if (i < n) out = f3_norm2(f4_xyz(pos[i])) > escape_r2;
        const unsigned int vote = __ballot_sync(FULL_MASK, out);
        if (lane == 0) local += __popc(vote);
    }
    if (lane == 0 && local > 0) atomicAdd(escapers, local);
}

// ---------------------------------------------------------------------------
// Radial histogram with warp-aggregated shared-memory atomics
// ---------------------------------------------------------------------------

__global__ void __launch_bounds__(NBODY_BLOCK)
radial_histogram_kernel(const float4* __restrict__ pos, int n, float rmax,
                        unsigned int* __restrict__ hist) {
    __shared__ unsigned int s_hist[RADIAL_BINS];
    for (int b = threadIdx.x; b < RADIAL_BINS; b += blockDim.x) s_hist[b] = 0;
    __syncthreads();

    for (int i = global_tid(); i < n; i += grid_threads()) {
        const float r = sqrtf(f3_norm2(f4_xyz(pos[i])));
        const int bin = radial_bin(r, rmax);
#if __CUDA_ARCH__ >= 700
        // Lanes that hit the same bin elect a leader that adds for all of
        // them; in a concentrated cluster this removes most of the
        // shared-memory contention.
        const unsigned int active = __activemask();
        const unsigned int peers = __match_any_sync(active, bin);
        const int leader = __ffs(peers) - 1;
        if (static_cast<int>(ptx_lane_id()) == leader) {
            atomicAdd(&s_hist[bin], static_cast<unsigned int>(__popc(peers)));
        }
#else
        atomicAdd(&s_hist[bin], 1u);
#endif
    }
    __syncthreads();

    for (int b = threadIdx.x; b < RADIAL_BINS; b += blockDim.x) {
        if (s_hist[b] != 0) atomicAdd(&hist[b], s_hist[b]);
    }
}

// ---------------------------------------------------------------------------
// Generic float sum (used for mass normalisation)
// ---------------------------------------------------------------------------

__global__ void __launch_bounds__(NBODY_BLOCK)
sum_floats_kernel(const float* __restrict__ values, int n, double* __restrict__ out) {
    __shared__ double scratch[NBODY_BLOCK / 32];
    double v = 0.0;
    for (int i = global_tid(); i < n; i += grid_threads()) v += values[i];
    v = block_reduce_sum(v, scratch);
    if (threadIdx.x == 0) atomicAdd(out, v);
}

// ---------------------------------------------------------------------------
// Host side
// ---------------------------------------------------------------------------

ReduceWorkspace create_reduce_workspace(int n, int sm_count) {
    ReduceWorkspace ws;
    // Two resident blocks per SM is plenty for a bandwidth-bound pass.
    ws.blocks = std::max(1, std::min(div_up(n, NBODY_BLOCK), 2 * sm_count));
    CUDA_CHECK(cudaMalloc(&ws.partials, sizeof(double) * ws.blocks * NUM_MOMENTS));
    CUDA_CHECK(cudaMalloc(&ws.moments, sizeof(double) * NUM_MOMENTS));
    CUDA_CHECK(cudaMalloc(&ws.max_speed_bits, sizeof(unsigned int)));
    CUDA_CHECK(cudaMalloc(&ws.escapers, sizeof(int)));
    CUDA_CHECK(cudaMalloc(&ws.hist, sizeof(unsigned int) * RADIAL_BINS));
    return ws;
}

void destroy_reduce_workspace(ReduceWorkspace& ws) {
    CUDA_CHECK(cudaFree(ws.partials));
    CUDA_CHECK(cudaFree(ws.moments));
    CUDA_CHECK(cudaFree(ws.max_speed_bits));
    CUDA_CHECK(cudaFree(ws.escapers));
    CUDA_CHECK(cudaFree(ws.hist));
    std::memset(&ws, 0, sizeof(ws));
}

void enqueue_diagnostics(const DeviceState& s, const SimParams& p, ReduceWorkspace& ws,
                         DiagnosticsRaw* host_out, cudaStream_t stream) {
    CUDA_CHECK(cudaMemsetAsync(ws.max_speed_bits, 0, sizeof(unsigned int), stream));
    CUDA_CHECK(cudaMemsetAsync(ws.escapers, 0, sizeof(int), stream));
    CUDA_CHECK(cudaMemsetAsync(ws.hist, 0, sizeof(unsigned int) * RADIAL_BINS, stream));

    moments_partial_kernel<<<ws.blocks, NBODY_BLOCK, 0, stream>>>(s.pos, s.vel, s.acc, s.n,
                                                                   ws.partials);
    CUDA_CHECK_LAUNCH();
    moments_final_kernel<<<1, NBODY_BLOCK, 0, stream>>>(ws.partials, ws.blocks, ws.moments);
    CUDA_CHECK_LAUNCH();
    max_speed_kernel<<<ws.blocks, NBODY_BLOCK, 0, stream>>>(s.vel, s.n, ws.max_speed_bits);
    CUDA_CHECK_LAUNCH();
    count_escapers_kernel<<<ws.blocks, NBODY_BLOCK, 0, stream>>>(
        s.pos, s.n, p.escape_radius * p.escape_radius, ws.escapers);
    CUDA_CHECK_LAUNCH();
    radial_histogram_kernel<<<ws.blocks, NBODY_BLOCK, 0, stream>>>(s.pos, s.n, p.hist_rmax,
                                                                    ws.hist);
    CUDA_CHECK_LAUNCH();

    CUDA_CHECK(cudaMemcpyAsync(host_out->moments, ws.moments, sizeof(host_out->moments),
                               cudaMemcpyDeviceToHost, stream));
    CUDA_CHECK(cudaMemcpyAsync(&host_out->max_speed_bits, ws.max_speed_bits, sizeof(unsigned int),
                               cudaMemcpyDeviceToHost, stream));
    CUDA_CHECK(cudaMemcpyAsync(&host_out->escapers, ws.escapers, sizeof(int),
                               cudaMemcpyDeviceToHost, stream));
    CUDA_CHECK(cudaMemcpyAsync(host_out->hist, ws.hist, sizeof(host_out->hist),
                               cudaMemcpyDeviceToHost, stream));
}

Diagnostics finish_diagnostics(const DiagnosticsRaw& raw) {
    Diagnostics d;
    d.kinetic = raw.moments[MOMENT_KINETIC];
    d.potential = raw.moments[MOMENT_POTENTIAL];
    d.px = raw.moments[MOMENT_PX];
    d.py = raw.moments[MOMENT_PY];
    d.pz = raw.moments[MOMENT_PZ];
    std::memcpy(&d.max_speed, &raw.max_speed_bits, sizeof(float));
    d.escapers = raw.escapers;
    std::memcpy(d.radial_hist, raw.hist, sizeof(d.radial_hist));
    return d;
}

double device_sum(const float* d_values, int n, cudaStream_t stream) {
    double* d_out = nullptr;
    CUDA_CHECK(cudaMalloc(&d_out, sizeof(double)));
    CUDA_CHECK(cudaMemsetAsync(d_out, 0, sizeof(double), stream));
    const int blocks = std::max(1, std::min(div_up(n, NBODY_BLOCK), 1024));
    sum_floats_kernel<<<blocks, NBODY_BLOCK, 0, stream>>>(d_values, n, d_out);
    CUDA_CHECK_LAUNCH();
    double h_out = 0.0;
    CUDA_CHECK(cudaMemcpyAsync(&h_out, d_out, sizeof(double), cudaMemcpyDeviceToHost, stream));
    CUDA_CHECK(cudaStreamSynchronize(stream));
    CUDA_CHECK(cudaFree(d_out));
    return h_out;
}
