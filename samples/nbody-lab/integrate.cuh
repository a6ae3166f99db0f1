// nbody-lab: force evaluation and leapfrog integration (integrate.cu).
#pragma once

#include "common.cuh"

// Force algorithms the driver can choose between.
enum class ForceMode {
    Tiled,  // one thread per body, shared-memory tiles of source bodies
    Warp,   // one warp per body, lanes split the sources, shuffle reduction
};

// Copy the parameter block into __constant__ memory. Must be called before
// any kernel of this module is launched, and again whenever it changes.
void upload_params(const SimParams& params);

// Read the parameter block back from __constant__ memory (used by the
// self-test in main.cu to make sure the symbol copy landed).
SimParams download_params();

// Compute accelerations (acc.xyz) and potentials (acc.w) for all bodies.
void launch_forces(const DeviceState& s, ForceMode mode, int block, cudaStream_t stream);

// v += a * dt * fraction. The leapfrog uses +1/2 and -1/2 (to step the
// velocities back to the half step before the first fused kick).
void launch_kick(const DeviceState& s, float fraction, cudaStream_t stream);

// x += v * dt
void launch_drift(const DeviceState& s, cudaStream_t stream);

// Fused second half-kick of step k and first half-kick + drift of step k+1.
void launch_kick_drift(const DeviceState& s, cudaStream_t stream);

// Subtract a uniform velocity from every body (centre-of-mass frame).
void launch_shift_velocity(const DeviceState& s, float3 dv, cudaStream_t stream);

// Address of the tiled force kernel, for the occupancy calculator.
const void* force_kernel_symbol();

// Bytes of dynamic shared memory the tiled force kernel needs for a block.
size_t force_kernel_smem(int block);
