// nbody-lab: validation of the GPU kernels against a CPU reference.
//
// The reference works in double precision on a small problem (a few hundred
// bodies) so the O(N^2) host loop stays well under a second. Tolerances are
// set for single-precision GPU arithmetic with a hardware rsqrt.
#include "validate.cuh"
#include "reduce.cuh"
#include "rng.cuh"

#include <algorithm>
#include <cmath>

namespace {

constexpr double kForceTol = 2e-4;   // relative, per body
constexpr double kPhiTol = 2e-4;     // absolute, model units (|phi| ~ 1)
constexpr double kEnergyTol = 1e-4;  // relative, total energy
constexpr double kPosTol = 1e-3;     // absolute, after a few steps

struct HostCopy {
    std::vector<float4> pos;
    std::vector<float4> vel;
    std::vector<float4> acc;
};

HostCopy download(const DeviceState& s, cudaStream_t stream) {
    HostCopy h;
    h.pos.resize(s.n);
    h.vel.resize(s.n);
    h.acc.resize(s.n);
    const size_t bytes = sizeof(float4) * s.n;
    CUDA_CHECK(cudaMemcpyAsync(h.pos.data(), s.pos, bytes, cudaMemcpyDeviceToHost, stream));
    CUDA_CHECK(cudaMemcpyAsync(h.vel.data(), s.vel, bytes, cudaMemcpyDeviceToHost, stream));
    CUDA_CHECK(cudaMemcpyAsync(h.acc.data(), s.acc, bytes, cudaMemcpyDeviceToHost, stream));
    CUDA_CHECK(cudaStreamSynchronize(stream));
    return h;
}

double max_rel_force_error(const std::vector<float4>& gpu, const std::vector<double>& ax,
                           const std::vector<double>& ay, const std::vector<double>& az) {
    double worst = 0.0;
    for (size_t i = 0; i < gpu.size(); ++i) {
        const double dx = gpu[i].x - ax[i];
        const double dy = gpu[i].y - ay[i];
        const double dz = gpu[i].z - az[i];
        const double ref = std::sqrt(ax[i] * ax[i] + ay[i] * ay[i] + az[i] * az[i]);
        const double err = std::sqrt(dx * dx + dy * dy + dz * dz) / std::max(ref, 1e-12);
        worst = std::max(worst, err);
    }
    return worst;
}

double max_abs_phi_error(const std::vector<float4>& gpu, const std::vector<double>& phi) {
    double worst = 0.0;
    for (size_t i = 0; i < gpu.size(); ++i) {
        worst = std::max(worst, std::fabs(gpu[i].w - phi[i]));
    }
    return worst;
}

}  // namespace

void cpu_forces(const std::vector<float4>& pos, float eps2, float G, std::vector<double>& ax,
                std::vector<double>& ay, std::vector<double>& az, std::vector<double>& phi) {
    const size_t n = pos.size();
    ax.assign(n, 0.0);
    ay.assign(n, 0.0);
    az.assign(n, 0.0);
    phi.assign(n, 0.0);
    for (size_t i = 0; i < n; ++i) {
        double sx = 0.0, sy = 0.0, sz = 0.0, sp = 0.0;
        for (size_t j = 0; j < n; ++j) {
            if (i == j) continue;
            const double dx = static_cast<double>(pos[j].x) - pos[i].x;
            const double dy = static_cast<double>(pos[j].y) - pos[i].y;
            const double dz = static_cast<double>(pos[j].z) - pos[i].z;
            const double r2 = dx * dx + dy * dy + dz * dz + eps2;
            const double inv_r = 1.0 / std::sqrt(r2);
            const double s = pos[j].w * inv_r * inv_r * inv_r;
            sx += dx * s;
            sy += dy * s;
            sz += dz * s;
            sp -= pos[j].w * inv_r;
        }
        ax[i] = G * sx;
        ay[i] = G * sy;
        az[i] = G * sz;
        phi[i] = G * sp;
    }
}

double cpu_total_energy(const std::vector<float4>& pos, const std::vector<float4>& vel, float eps2,
                        float G) {
    double kinetic = 0.0;
    double potential = 0.0;
    const size_t n = pos.size();
    for (size_t i = 0; i < n; ++i) {
        const double v2 = static_cast<double>(vel[i].x) * vel[i].x +
                          static_cast<double>(vel[i].y) * vel[i].y +
                          static_cast<double>(vel[i].z) * vel[i].z;
        kinetic += 0.5 * pos[i].w * v2;
        for (size_t j = i + 1; j < n; ++j) {
            const double dx = static_cast<double>(pos[j].x) - pos[i].x;
            const double dy = static_cast<double>(pos[j].y) - pos[i].y;
            const double dz = static_cast<double>(pos[j].z) - pos[i].z;
            potential -= G * pos[i].w * pos[j].w / std::sqrt(dx * dx + dy * dy + dz * dz + eps2);
        }
    }
    return kinetic + potential;
}

void cpu_leapfrog(std::vector<float4>& pos, std::vector<float4>& vel, float dt, float eps2,
                  float G, int steps) {
    std::vector<double> ax, ay, az, phi;
    const size_t n = pos.size();
    const float half = 0.5f * dt;
    // Same operation order as the GPU: forces, then (kick, drift, forces,
    // kick) per step, in single precision for the state.
    cpu_forces(pos, eps2, G, ax, ay, az, phi);
    for (int s = 0; s < steps; ++s) {
        for (size_t i = 0; i < n; ++i) {
            vel[i].x += static_cast<float>(ax[i]) * half;
            vel[i].y += static_cast<float>(ay[i]) * half;
            vel[i].z += static_cast<float>(az[i]) * half;
            pos[i].x += vel[i].x * dt;
            pos[i].y += vel[i].y * dt;
            pos[i].z += vel[i].z * dt;
        }
        cpu_forces(pos, eps2, G, ax, ay, az, phi);
        for (size_t i = 0; i < n; ++i) {
            vel[i].x += static_cast<float>(ax[i]) * half;
            vel[i].y += static_cast<float>(ay[i]) * half;
            vel[i].z += static_cast<float>(az[i]) * half;
        }
    }
}

ValidationReport validate_small_case(const SimParams& params, int n_small, int steps,
                                     int force_block, cudaStream_t stream) {
    ValidationReport rep;
    rep.n = n_small;
    rep.steps = steps;

    SimParams p = params;
    p.n = n_small;
    p.damping = 1.0f;  // the CPU reference does not damp
    upload_params(p);

    DeviceState s;
    s.n = n_small;
    CUDA_CHECK(cudaMalloc(&s.pos, sizeof(float4) * n_small));
    CUDA_CHECK(cudaMalloc(&s.vel, sizeof(float4) * n_small));
    CUDA_CHECK(cudaMalloc(&s.acc, sizeof(float4) * n_small));

    RngState rng = create_rng_state(n_small, 12345ull, stream);
    InitConfig cfg;
    cfg.model = InitialModel::Plummer;
    cfg.seed = 12345ull;
    cfg.mass_spread = 0.5f;
    cfg.thermal_sigma = 0.0f;
    cfg.scale = 1.0f;
    generate_initial_conditions(s, rng, cfg, stream);

    // Forces with both kernels against the CPU.
    HostCopy before = download(s, stream);
    std::vector<double> ax, ay, az, phi;
    cpu_forces(before.pos, p.softening2, p.G, ax, ay, az, phi);

    launch_forces(s, ForceMode::Warp, force_block, stream);
    HostCopy warp = download(s, stream);
    rep.max_rel_force_err_warp = max_rel_force_error(warp.acc, ax, ay, az);

    launch_forces(s, ForceMode::Tiled, force_block, stream);
    HostCopy tiled = download(s, stream);
    rep.max_rel_force_err_tiled = max_rel_force_error(tiled.acc, ax, ay, az);
    rep.max_abs_phi_err = max_abs_phi_error(tiled.acc, phi);

    // Energy through the GPU reduction path.
    ReduceWorkspace ws = create_reduce_workspace(n_small, 1);
    DiagnosticsRaw* raw = nullptr;
    CUDA_CHECK(cudaMallocHost(&raw, sizeof(DiagnosticsRaw)));
    enqueue_diagnostics(s, p, ws, raw, stream);
    CUDA_CHECK(cudaStreamSynchronize(stream));
    const Diagnostics d = finish_diagnostics(*raw);
    const double e_gpu = d.kinetic + d.potential;
    const double e_cpu = cpu_total_energy(before.pos, before.vel, p.softening2, p.G);
    rep.energy_rel_err = std::fabs(e_gpu - e_cpu) / std::max(std::fabs(e_cpu), 1e-12);

    // A few integration steps on both sides.
    for (int k = 0; k < steps; ++k) {
        launch_kick(s, 0.5f, stream);
        launch_drift(s, stream);
        launch_forces(s, ForceMode::Tiled, force_block, stream);
        launch_kick(s, 0.5f, stream);
    }
    HostCopy after = download(s, stream);
    std::vector<float4> cpu_pos = before.pos;
    std::vector<float4> cpu_vel = before.vel;
    cpu_leapfrog(cpu_pos, cpu_vel, p.dt, p.softening2, p.G, steps);
    double worst = 0.0;
    for (int i = 0; i < n_small; ++i) {
        worst = std::max(worst, static_cast<double>(std::fabs(after.pos[i].x - cpu_pos[i].x)));
        worst = std::max(worst, static_cast<double>(std::fabs(after.pos[i].y - cpu_pos[i].y)));
        worst = std::max(worst, static_cast<double>(std::fabs(after.pos[i].z - cpu_pos[i].z)));
    }
    rep.max_pos_err_after_steps = worst;

    rep.passed = rep.max_rel_force_err_tiled < kForceTol && rep.max_rel_force_err_warp < kForceTol &&
                 rep.max_abs_phi_err < kPhiTol && rep.energy_rel_err < kEnergyTol &&
                 rep.max_pos_err_after_steps < kPosTol;

    CUDA_CHECK(cudaFreeHost(raw));
    destroy_reduce_workspace(ws);
    destroy_rng_state(rng);
    CUDA_CHECK(cudaFree(s.pos));
    CUDA_CHECK(cudaFree(s.vel));
    CUDA_CHECK(cudaFree(s.acc));

    upload_params(params);
    return rep;
}

void print_validation(const ValidationReport& r) {
    std::printf("validation (N = %d, %d steps): %s\n", r.n, r.steps, r.passed ? "PASSED" : "FAILED");
    std::printf("  force, tiled kernel : max rel err %.3e (tol %.0e)\n", r.max_rel_force_err_tiled,
                kForceTol);
    std::printf("  force, warp kernel  : max rel err %.3e (tol %.0e)\n", r.max_rel_force_err_warp,
                kForceTol);
    std::printf("  potential           : max abs err %.3e (tol %.0e)\n", r.max_abs_phi_err, kPhiTol);
    std::printf("  total energy        : rel err %.3e (tol %.0e)\n", r.energy_rel_err, kEnergyTol);
    std::printf("  positions           : max abs err %.3e (tol %.0e)\n", r.max_pos_err_after_steps,
                kPosTol);
}
