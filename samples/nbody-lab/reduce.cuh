// nbody-lab: conserved quantities and statistics (reduce.cu).
#pragma once

#include "common.cuh"

// Indices into the moment vector produced by the energy/momentum reduction.
enum Moment {
    MOMENT_KINETIC = 0,
    MOMENT_POTENTIAL,
    MOMENT_PX,
    MOMENT_PY,
    MOMENT_PZ,
    MOMENT_MASS,
    NUM_MOMENTS
};

// Device scratch space for the reductions, allocated once per run.
struct ReduceWorkspace {
    double*       partials;       // blocks * NUM_MOMENTS, first pass output
    double*       moments;        // NUM_MOMENTS, second pass output
    unsigned int* max_speed_bits; // float bits of the largest speed
    int*          escapers;       // count of bodies past the escape radius
    unsigned int* hist;           // RADIAL_BINS counters
    int           blocks;         // grid size of the first pass
};

// Raw results as copied back to (pinned) host memory.
struct DiagnosticsRaw {
    double       moments[NUM_MOMENTS];
    unsigned int max_speed_bits;
    int          escapers;
    unsigned int hist[RADIAL_BINS];
};

ReduceWorkspace create_reduce_workspace(int n, int sm_count);
void destroy_reduce_workspace(ReduceWorkspace& ws);

// Enqueue all diagnostic kernels on `stream` and an asynchronous copy of
// their results into `host_out`, which must be pinned (cudaMallocHost) for
// the copy to overlap with later work. The caller synchronises.
void enqueue_diagnostics(const DeviceState& s, const SimParams& p, ReduceWorkspace& ws,
                         DiagnosticsRaw* host_out, cudaStream_t stream);

// Convert the raw buffer into the user-facing structure.
Diagnostics finish_diagnostics(const DiagnosticsRaw& raw);

// Sum a device array of floats (used by the validation for the mass check).
double device_sum(const float* d_values, int n, cudaStream_t stream);
