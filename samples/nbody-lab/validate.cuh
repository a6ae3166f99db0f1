// nbody-lab: CPU reference and GPU-vs-CPU validation (validate.cu).
#pragma once

#include "common.cuh"
#include "integrate.cuh"

#include <vector>

struct ValidationReport {
    int    n;
    double max_rel_force_err_tiled;  // max over bodies of |a_gpu - a_cpu| / |a_cpu|
    double max_rel_force_err_warp;
    double max_abs_phi_err;          // potential, absolute
    double energy_rel_err;           // total energy from the GPU reductions vs CPU
    double max_pos_err_after_steps;  // after `steps` leapfrog steps
    int    steps;
    bool   passed;
};

// Double-precision all-pairs forces: acc[i].xyz = G sum m_j d / (r^2+eps^2)^1.5,
// acc[i].w = -G sum_{j != i} m_j / sqrt(r^2 + eps^2).
void cpu_forces(const std::vector<float4>& pos, float eps2, float G, std::vector<double>& ax,
                std::vector<double>& ay, std::vector<double>& az, std::vector<double>& phi);

// Kinetic + potential energy in double precision.
double cpu_total_energy(const std::vector<float4>& pos, const std::vector<float4>& vel, float eps2,
                        float G);

// One kick-drift-kick step on the CPU, mirroring the GPU sequence.
void cpu_leapfrog(std::vector<float4>& pos, std::vector<float4>& vel, float dt, float eps2,
                  float G, int steps);

// Run a small problem on the GPU with both force kernels and compare against
// the CPU reference. `params` supplies dt, softening and G; n is replaced by
// `n_small`. Leaves the caller's parameters re-uploaded on return.
ValidationReport validate_small_case(const SimParams& params, int n_small, int steps,
                                     int force_block, cudaStream_t stream);

void print_validation(const ValidationReport& r);
