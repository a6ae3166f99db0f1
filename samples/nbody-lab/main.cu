// nbody-lab: driver.
//
// Runs a softened gravitational N-body simulation with a kick-drift-kick
// leapfrog integrator. The driver
//   * parses the command line,
//   * queries the CUDA device and picks kernels for it,
//   * optionally validates the kernels against a CPU reference,
//   * generates initial conditions with cuRAND,
//   * integrates on a compute stream (optionally replaying a CUDA Graph of
//     one step) while a copy stream moves snapshots into pinned host memory,
//   * times everything with CUDA events and prints energy conservation.
//
// Usage: nbody-lab [options]   (see print_usage below)
#include "arch.cuh"
#include "common.cuh"
#include "integrate.cuh"
#include "reduce.cuh"
#include "rng.cuh"
#include "validate.cuh"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace {

// ---------------------------------------------------------------------------
// Command line
// ---------------------------------------------------------------------------

struct Options {
    int          n = 16384;
    int          steps = 200;
    float        dt = 0.005f;
    float        softening = 0.02f;
    float        damping = 1.0f;
    float        escape_radius = 20.0f;
    float        thermal_sigma = 0.0f;
    InitialModel model = InitialModel::Plummer;
    unsigned long long seed = 20240601ull;
    int          device = 0;
    int          snapshot_every = 50;
    int          snapshot_stride = 16;  // write every k-th body to the CSV
    std::string  mode = "auto";         // tiled | warp | auto
    std::string  out_path;              // empty: no snapshot file
    bool         validate = false;
#ifdef NBODY_DEBUG_SYNC
    bool         use_graph = false;  // device syncs are illegal during capture
#else
    bool         use_graph = true;
#endif
    bool         quiet = false;
};

void print_usage(const char* argv0) {
    std::printf(
        "usage: %s [options]\n"
        "  -n, --bodies N          number of bodies (default 16384)\n"
        "  -s, --steps N           leapfrog steps (default 200)\n"
        "      --dt X              time step (default 0.005)\n"
        "      --eps X             softening length (default 0.02)\n"
        "      --damping X         velocity factor per step, 1 = none (default 1)\n"
        "      --escape X          escape radius for the escaper count (default 20)\n"
        "      --thermal X         Gaussian velocity noise added at start (default 0)\n"
        "  -m, --model NAME        plummer | cube | collision (default plummer)\n"
        "      --seed N            cuRAND seed\n"
        "  -d, --device N          CUDA device ordinal (default 0)\n"
        "      --mode NAME         force kernel: tiled | warp | auto (default auto)\n"
        "      --snapshot-every N  diagnostics and snapshot period in steps (default 50)\n"
        "      --stride K          write every K-th body to the snapshot file (default 16)\n"
        "  -o, --out FILE          write snapshots as CSV\n"
        "      --no-graph          launch kernels one by one instead of replaying a CUDA Graph\n"
        "      --validate          compare GPU kernels against the CPU reference first\n"
        "  -q, --quiet             only print the summary\n"
        "  -h, --help              this text\n",
        argv0);
}

bool parse_int(const char* text, int* out) {
    errno = 0;
    char* end = nullptr;
    const long v = std::strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < 0 || v > 1L << 30) return false;
    *out = static_cast<int>(v);
    return true;
}

bool parse_float(const char* text, float* out) {
    errno = 0;
    char* end = nullptr;
    const float v = std::strtof(text, &end);
    if (errno != 0 || end == text || *end != '\0' || !std::isfinite(v)) return false;
    *out = v;
    return true;
}

[[noreturn]] void bad_arg(const char* argv0, const char* what, const char* value) {
    std::fprintf(stderr, "%s: invalid value for %s: '%s'\n", argv0, what, value ? value : "");
    print_usage(argv0);
    std::exit(EXIT_FAILURE);
}

Options parse_options(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const char* next = (i + 1 < argc) ? argv[i + 1] : nullptr;
        auto need = [&](const char* what) -> const char* {
            if (!next) bad_arg(argv[0], what, nullptr);
            ++i;
            return next;
        };
        if (a == "-h" || a == "--help") {
            print_usage(argv[0]);
            std::exit(EXIT_SUCCESS);
        } else if (a == "-n" || a == "--bodies") {
            const char* v = need("--bodies");
            if (!parse_int(v, &o.n) || o.n < 2) bad_arg(argv[0], "--bodies", v);
        } else if (a == "-s" || a == "--steps") {
            const char* v = need("--steps");
            if (!parse_int(v, &o.steps)) bad_arg(argv[0], "--steps", v);
        } else if (a == "--dt") {
            const char* v = need("--dt");
            if (!parse_float(v, &o.dt) || o.dt <= 0.0f) bad_arg(argv[0], "--dt", v);
        } else if (a == "--eps") {
            const char* v = need("--eps");
            if (!parse_float(v, &o.softening) || o.softening <= 0.0f) bad_arg(argv[0], "--eps", v);
        } else if (a == "--damping") {
            const char* v = need("--damping");
            if (!parse_float(v, &o.damping) || o.damping <= 0.0f || o.damping > 1.0f)
                bad_arg(argv[0], "--damping", v);
        } else if (a == "--escape") {
            const char* v = need("--escape");
            if (!parse_float(v, &o.escape_radius) || o.escape_radius <= 0.0f)
                bad_arg(argv[0], "--escape", v);
        } else if (a == "--thermal") {
            const char* v = need("--thermal");
            if (!parse_float(v, &o.thermal_sigma) || o.thermal_sigma < 0.0f)
                bad_arg(argv[0], "--thermal", v);
        } else if (a == "-m" || a == "--model") {
            const char* v = need("--model");
            if (!parse_model(v, &o.model)) bad_arg(argv[0], "--model", v);
        } else if (a == "--seed") {
            const char* v = need("--seed");
            char* end = nullptr;
            o.seed = std::strtoull(v, &end, 0);
            if (end == v || *end != '\0') bad_arg(argv[0], "--seed", v);
        } else if (a == "-d" || a == "--device") {
            const char* v = need("--device");
            if (!parse_int(v, &o.device)) bad_arg(argv[0], "--device", v);
        } else if (a == "--mode") {
            o.mode = need("--mode");
            if (o.mode != "tiled" && o.mode != "warp" && o.mode != "auto")
                bad_arg(argv[0], "--mode", o.mode.c_str());
        } else if (a == "--snapshot-every") {
            const char* v = need("--snapshot-every");
            if (!parse_int(v, &o.snapshot_every) || o.snapshot_every < 1)
                bad_arg(argv[0], "--snapshot-every", v);
        } else if (a == "--stride") {
            const char* v = need("--stride");
            if (!parse_int(v, &o.snapshot_stride) || o.snapshot_stride < 1)
                bad_arg(argv[0], "--stride", v);
        } else if (a == "-o" || a == "--out") {
            o.out_path = need("--out");
        } else if (a == "--no-graph") {
            o.use_graph = false;
        } else if (a == "--validate") {
            o.validate = true;
        } else if (a == "-q" || a == "--quiet") {
            o.quiet = true;
        } else {
            std::fprintf(stderr, "%s: unknown option '%s'\n", argv[0], a.c_str());
            print_usage(argv[0]);
            std::exit(EXIT_FAILURE);
        }
    }
    return o;
}

// ---------------------------------------------------------------------------
// Snapshot output
// ---------------------------------------------------------------------------

// Positions land in pinned memory through the copy stream; the host writes
// them out once the copy's event has completed.
struct SnapshotBuffers {
    float4*     d_staging = nullptr;  // device copy taken on the compute stream
    float4*     h_pinned = nullptr;   // cudaMallocHost, target of the async copy
    cudaEvent_t staged = nullptr;     // compute stream: staging copy done
    cudaEvent_t landed = nullptr;     // copy stream: host copy done
    bool        pending = false;
    int         step = 0;
};

void write_snapshot(FILE* f, const float4* pos, int n, int stride, int step, float time) {
    for (int i = 0; i < n; i += stride) {
        std::fprintf(f, "%d,%.6f,%d,%.6e,%.6e,%.6e,%.6e\n", step, time, i, pos[i].x, pos[i].y,
                     pos[i].z, pos[i].w);
    }
}

// ---------------------------------------------------------------------------
// Reporting
// ---------------------------------------------------------------------------

void print_diagnostics(int step, float time, const Diagnostics& d, double e0) {
    const double e = d.kinetic + d.potential;
    const double drift = (e - e0) / std::fabs(e0);
    const double virial = -2.0 * d.kinetic / d.potential;
    const double p = std::sqrt(d.px * d.px + d.py * d.py + d.pz * d.pz);
    std::printf("step %6d  t=%8.4f  E=%+.6e  dE/E=%+.3e  2K/|W|=%.4f  |P|=%.2e  vmax=%.3f  esc=%d\n",
                step, time, e, drift, virial, p, d.max_speed, d.escapers);
}

void print_profile(const Diagnostics& d, float rmax) {
    unsigned int peak = 1;
    for (int b = 0; b < RADIAL_BINS; ++b) peak = std::max(peak, d.radial_hist[b]);
    std::printf("radial profile (r in [0, %.1f), %d bins, showing every 4th):\n", rmax, RADIAL_BINS);
    for (int b = 0; b < RADIAL_BINS; b += 4) {
        const int bar = static_cast<int>(50.0 * d.radial_hist[b] / peak);
        std::printf("  %6.2f %7u |%.*s\n", (b + 0.5f) * rmax / RADIAL_BINS, d.radial_hist[b], bar,
                    "##################################################");
    }
}

// One complete leapfrog step: full kick + drift (fused), then forces at the
// new positions. Velocities live on half steps inside the loop; main()
// offsets them by half a kick before the first step and after the last.
void enqueue_step(const DeviceState& s, ForceMode mode, int block, cudaStream_t stream) {
    launch_kick_drift(s, stream);
    launch_forces(s, mode, block, stream);
}

}  // namespace

int main(int argc, char** argv) {
    const Options opt = parse_options(argc, argv);

    // -----------------------------------------------------------------------
    // Device
    // -----------------------------------------------------------------------
    const DeviceInfo info = query_device(opt.device, !opt.quiet);

    cudaDeviceProp prop;
    CUDA_CHECK(cudaGetDeviceProperties(&prop, opt.device));

    // Pick the force kernel. The warp-per-body kernel wins while the tiled
    // kernel cannot put at least a few blocks on every SM; on Volta and newer
    // the independent-thread-scheduling shuffles make it cheaper still, so
    // the crossover moves up.
    ForceMode mode = ForceMode::Tiled;
    if (opt.mode == "warp") {
        mode = ForceMode::Warp;
    } else if (opt.mode == "auto") {
        const int crossover = (prop.major >= 7 ? 8 : 4) * prop.multiProcessorCount * 32;
        if (opt.n <= crossover) mode = ForceMode::Warp;
    }
    const int force_block = suggest_force_block(info);

    if (!probe_lane_layout(nullptr)) {
        std::fprintf(stderr, "nbody-lab: lane layout probe failed; refusing to run\n");
        return EXIT_FAILURE;
    }

    // -----------------------------------------------------------------------
    // Parameters in __constant__ memory
    // -----------------------------------------------------------------------
    SimParams params;
    params.n = opt.n;
    params.dt = opt.dt;
    params.softening2 = opt.softening * opt.softening;
    params.G = 1.0f;
    params.escape_radius = opt.escape_radius;
    params.damping = opt.damping;
    params.hist_rmax = 0.5f * opt.escape_radius;
    params.steps = opt.steps;
    upload_params(params);
    {
        const SimParams back = download_params();
        if (back.n != params.n || back.dt != params.dt) {
            std::fprintf(stderr, "nbody-lab: cudaMemcpyToSymbol round trip mismatch\n");
            return EXIT_FAILURE;
        }
    }

    if (!opt.quiet) {
        std::printf("bodies %d, steps %d, dt %g, eps %g, model %s, force kernel %s (block %d)%s\n",
                    opt.n, opt.steps, opt.dt, opt.softening, model_name(opt.model),
                    mode == ForceMode::Tiled ? "tiled" : "warp", force_block,
                    opt.use_graph ? ", CUDA Graph replay" : "");
    }

    // -----------------------------------------------------------------------
    // Streams and events
    // -----------------------------------------------------------------------
    int prio_low = 0, prio_high = 0;
    CUDA_CHECK(cudaDeviceGetStreamPriorityRange(&prio_low, &prio_high));
    cudaStream_t compute, copy;
    CUDA_CHECK(cudaStreamCreateWithPriority(&compute, cudaStreamNonBlocking, prio_high));
    CUDA_CHECK(cudaStreamCreateWithFlags(&copy, cudaStreamNonBlocking));

    cudaEvent_t t_start, t_init, t_end;
    CUDA_CHECK(cudaEventCreate(&t_start));
    CUDA_CHECK(cudaEventCreate(&t_init));
    CUDA_CHECK(cudaEventCreate(&t_end));

    if (opt.validate) {
        const ValidationReport rep = validate_small_case(params, 512, 4, force_block, compute);
        print_validation(rep);
        if (!rep.passed) return EXIT_FAILURE;
    }

    // -----------------------------------------------------------------------
    // Buffers
    // -----------------------------------------------------------------------
    DeviceState state;
    state.n = opt.n;
    const size_t body_bytes = sizeof(float4) * opt.n;
    CUDA_CHECK(cudaMalloc(&state.pos, body_bytes));
    CUDA_CHECK(cudaMalloc(&state.vel, body_bytes));
    CUDA_CHECK(cudaMalloc(&state.acc, body_bytes));

    ReduceWorkspace ws = create_reduce_workspace(opt.n, info.sm_count);
    DiagnosticsRaw* h_diag = nullptr;
    CUDA_CHECK(cudaMallocHost(&h_diag, sizeof(DiagnosticsRaw)));

    SnapshotBuffers snap;
    FILE* out = nullptr;
    if (!opt.out_path.empty()) {
        out = std::fopen(opt.out_path.c_str(), "w");
        if (!out) {
            std::fprintf(stderr, "nbody-lab: cannot open %s: %s\n", opt.out_path.c_str(),
                         std::strerror(errno));
            return EXIT_FAILURE;
        }
        std::fprintf(out, "step,time,body,x,y,z,mass\n");
        CUDA_CHECK(cudaMalloc(&snap.d_staging, body_bytes));
        CUDA_CHECK(cudaMallocHost(&snap.h_pinned, body_bytes));
        CUDA_CHECK(cudaEventCreateWithFlags(&snap.staged, cudaEventDisableTiming));
        CUDA_CHECK(cudaEventCreateWithFlags(&snap.landed, cudaEventDisableTiming));
    }

    // -----------------------------------------------------------------------
    // Initial conditions
    // -----------------------------------------------------------------------
    CUDA_CHECK(cudaEventRecord(t_start, compute));
    RngState rng = create_rng_state(opt.n, opt.seed, compute);
    InitConfig cfg;
    cfg.model = opt.model;
    cfg.seed = opt.seed;
    cfg.mass_spread = 0.5f;
    cfg.thermal_sigma = opt.thermal_sigma;
    cfg.scale = 1.0f;
    generate_initial_conditions(state, rng, cfg, compute);

    // Move into the centre-of-mass frame so that the cluster does not drift.
    launch_forces(state, mode, force_block, compute);
    enqueue_diagnostics(state, params, ws, h_diag, compute);
    CUDA_CHECK(cudaStreamSynchronize(compute));
    Diagnostics d0 = finish_diagnostics(*h_diag);
    {
        const double m = h_diag->moments[MOMENT_MASS];
        const float3 vcm = make_float3(static_cast<float>(d0.px / m), static_cast<float>(d0.py / m),
                                       static_cast<float>(d0.pz / m));
        launch_shift_velocity(state, vcm, compute);
        enqueue_diagnostics(state, params, ws, h_diag, compute);
        CUDA_CHECK(cudaStreamSynchronize(compute));
        d0 = finish_diagnostics(*h_diag);
    }
    const double e0 = d0.kinetic + d0.potential;
    // Step the velocities back to t = -dt/2: every enqueue_step starts with a
    // full kick, which then lands on the half step as leapfrog requires.
    launch_kick(state, -0.5f, compute);
    CUDA_CHECK(cudaEventRecord(t_init, compute));

    if (!opt.quiet) print_diagnostics(0, 0.0f, d0, e0);

    // -----------------------------------------------------------------------
    // Optional: capture one step into a CUDA Graph and replay it
    // -----------------------------------------------------------------------
    cudaGraph_t graph = nullptr;
    cudaGraphExec_t graph_exec = nullptr;
    if (opt.use_graph) {
        CUDA_CHECK(cudaStreamBeginCapture(compute, cudaStreamCaptureModeThreadLocal));
        enqueue_step(state, mode, force_block, compute);
        CUDA_CHECK(cudaStreamEndCapture(compute, &graph));
        CUDA_CHECK(cudaGraphInstantiate(&graph_exec, graph, 0));
    }

    // -----------------------------------------------------------------------
    // Main loop
    // -----------------------------------------------------------------------
    double worst_drift = 0.0;
    Diagnostics last = d0;
    for (int step = 1; step <= opt.steps; ++step) {
        if (opt.use_graph) {
            CUDA_CHECK(cudaGraphLaunch(graph_exec, compute));
        } else {
            enqueue_step(state, mode, force_block, compute);
        }

        const bool report = (step % opt.snapshot_every == 0) || step == opt.steps;
        if (!report) continue;

        // Snapshot: stage on the compute stream, ship on the copy stream.
        // The staging buffer is reused, so wait for the previous transfer.
        if (out) {
            if (snap.pending) {
                CUDA_CHECK(cudaEventSynchronize(snap.landed));
                write_snapshot(out, snap.h_pinned, opt.n, opt.snapshot_stride, snap.step,
                               snap.step * opt.dt);
                snap.pending = false;
            }
            CUDA_CHECK(cudaMemcpyAsync(snap.d_staging, state.pos, body_bytes,
                                       cudaMemcpyDeviceToDevice, compute));
            CUDA_CHECK(cudaEventRecord(snap.staged, compute));
            CUDA_CHECK(cudaStreamWaitEvent(copy, snap.staged, 0));
            CUDA_CHECK(cudaMemcpyAsync(snap.h_pinned, snap.d_staging, body_bytes,
                                       cudaMemcpyDeviceToHost, copy));
            CUDA_CHECK(cudaEventRecord(snap.landed, copy));
            snap.pending = true;
            snap.step = step;
        }

        // Diagnostics need synchronised velocities: the state holds v at
        // t - dt/2 here, so the reported kinetic energy is offset by O(dt^2);
        // good enough for monitoring, exact values come at the end.
        enqueue_diagnostics(state, params, ws, h_diag, compute);
        CUDA_CHECK(cudaStreamSynchronize(compute));
        last = finish_diagnostics(*h_diag);
        const double drift = std::fabs((last.kinetic + last.potential - e0) / e0);
        worst_drift = std::max(worst_drift, drift);
        if (!opt.quiet) print_diagnostics(step, step * opt.dt, last, e0);
    }

    // Closing half kick: the loop leaves v half a step behind x.
    launch_kick(state, 0.5f, compute);
    CUDA_CHECK(cudaEventRecord(t_end, compute));
    enqueue_diagnostics(state, params, ws, h_diag, compute);
    CUDA_CHECK(cudaStreamSynchronize(compute));
    last = finish_diagnostics(*h_diag);
    const double final_drift = (last.kinetic + last.potential - e0) / std::fabs(e0);

    if (out && snap.pending) {
        CUDA_CHECK(cudaEventSynchronize(snap.landed));
        write_snapshot(out, snap.h_pinned, opt.n, opt.snapshot_stride, snap.step,
                       snap.step * opt.dt);
    }

    // -----------------------------------------------------------------------
    // Summary
    // -----------------------------------------------------------------------
    float ms_init = 0.0f, ms_run = 0.0f;
    CUDA_CHECK(cudaEventElapsedTime(&ms_init, t_start, t_init));
    CUDA_CHECK(cudaEventElapsedTime(&ms_run, t_init, t_end));
    // 20 flops per pair interaction is the customary count for this kernel.
    const double interactions = static_cast<double>(opt.n) * opt.n * opt.steps;
    const double gflops = ms_run > 0.0f ? 20.0 * interactions / (ms_run * 1e6) : 0.0;

    if (!opt.quiet) print_profile(last, params.hist_rmax);
    std::printf("summary: %s, N=%d, %d steps, %s kernel\n", info.name, opt.n, opt.steps,
                mode == ForceMode::Tiled ? "tiled" : "warp");
    std::printf("  setup %.2f ms, integration %.2f ms (%.3f ms/step), %.1f GFLOP/s\n", ms_init,
                ms_run, opt.steps > 0 ? ms_run / opt.steps : 0.0f, gflops);
    std::printf("  energy drift: final %+.3e, worst monitored %.3e\n", final_drift, worst_drift);
    std::printf("  escapers: %d of %d\n", last.escapers, opt.n);

    // -----------------------------------------------------------------------
    // Teardown
    // -----------------------------------------------------------------------
    if (graph_exec) CUDA_CHECK(cudaGraphExecDestroy(graph_exec));
    if (graph) CUDA_CHECK(cudaGraphDestroy(graph));
    if (out) {
        std::fclose(out);
        CUDA_CHECK(cudaFree(snap.d_staging));
        CUDA_CHECK(cudaFreeHost(snap.h_pinned));
        CUDA_CHECK(cudaEventDestroy(snap.staged));
        CUDA_CHECK(cudaEventDestroy(snap.landed));
    }
    destroy_rng_state(rng);
    CUDA_CHECK(cudaFreeHost(h_diag));
    destroy_reduce_workspace(ws);
    CUDA_CHECK(cudaFree(state.pos));
    CUDA_CHECK(cudaFree(state.vel));
    CUDA_CHECK(cudaFree(state.acc));
    CUDA_CHECK(cudaEventDestroy(t_start));
    CUDA_CHECK(cudaEventDestroy(t_init));
    CUDA_CHECK(cudaEventDestroy(t_end));
    CUDA_CHECK(cudaStreamDestroy(compute));
    CUDA_CHECK(cudaStreamDestroy(copy));
    CUDA_CHECK(cudaDeviceReset());
    return EXIT_SUCCESS;
}
