// nbody-lab: initial conditions.
//
// Masses come from the cuRAND host API (Philox generator filling a device
// buffer in one call). Positions and velocities for the Plummer model are
// drawn per body with the cuRAND device API, each thread owning one
// curandState so that the sequence does not depend on the launch shape. The
// cold-cube model uses an unscrambled Sobol sequence from the host API for
// an even spatial coverage.
#include "rng.cuh"
#include "reduce.cuh"

#include <algorithm>
#include <cstring>

// ---------------------------------------------------------------------------
// Device API
// ---------------------------------------------------------------------------

// One subsequence per body: identical seeds give identical bodies no matter
// how many blocks the launch uses.
__global__ void setup_rng_kernel(curandState* __restrict__ states, unsigned long long seed, int n) {
    for (int i = global_tid(); i < n; i += grid_threads()) {
        curand_init(seed, static_cast<unsigned long long>(i), 0ull, &states[i]);
    }
}

// Uniformly distributed unit vector from three normals.
__device__ float3 random_direction(curandState* st) {
    float3 d;
    float len2;
    do {
        d = make_float3(curand_normal(st), curand_normal(st), curand_normal(st));
        len2 = f3_norm2(d);
    } while (len2 < 1e-12f);
    return f3_scale(d, rsqrtf(len2));
}

// Plummer sphere in Henon units (G = M = 1, E = -1/4) scaled by `scale`.
// Radius from the inverted cumulative mass profile; speed by von Neumann
// rejection on g(q) = q^2 (1 - q^2)^(7/2), whose maximum is below 0.1.
__global__ void plummer_kernel(curandState* __restrict__ states, float4* __restrict__ pos,
                               float4* __restrict__ vel, const float* __restrict__ masses,
                               int n, int first, int count, float scale, float3 offset,
                               float3 bulk_velocity) {
    // 3*pi/16 converts the Plummer scale radius to Henon units.
    const float henon = 3.0f * 3.14159265f / 16.0f;
    for (int k = global_tid(); k < count; k += grid_threads()) {
        const int i = first + k;
        if (i >= n) break;
        curandState st = states[i];

        // Cut the radial tail at 99.9% of the mass to avoid extreme outliers.
        float m;
        do {
            m = curand_uniform(&st);
        } while (m > 0.999f);
        const float r = rsqrtf(powf(m, -2.0f / 3.0f) - 1.0f);

        float q, g;
        do {
            q = curand_uniform(&st);
            g = 0.1f * curand_uniform(&st);
        } while (g > q * q * powf(1.0f - q * q, 3.5f));
        const float v_esc = sqrtf(2.0f) * powf(1.0f + r * r, -0.25f);
        const float speed = q * v_esc;

        const float3 x = f3_scale(random_direction(&st), r * henon * scale);
        const float3 v = f3_scale(random_direction(&st), speed / sqrtf(henon * scale));

        pos[i] = f4_from(f3_add(x, offset), masses[i]);
        vel[i] = f4_from(f3_add(v, bulk_velocity), 0.0f);
        states[i] = st;
    }
}

__global__ void thermal_kick_kernel(curandState* __restrict__ states, float4* __restrict__ vel,
                                    int n, float sigma) {
    for (int i = global_tid(); i < n; i += grid_threads()) {
        curandState st = states[i];
        const float2 a = curand_normal2(&st);
        const float b = curand_normal(&st);
        const float4 v = vel[i];
        vel[i] = make_float4(v.x + sigma * a.x, v.y + sigma * a.y, v.z + sigma * b, v.w);
        states[i] = st;
    }
}

// Sobol output is dimension-major: all x, then all y, then all z.
__global__ void cube_from_sobol_kernel(const float* __restrict__ sobol, const float* __restrict__ masses,
                                       float4* __restrict__ pos, float4* __restrict__ vel,
                                       int n, float scale) {
    for (int i = global_tid(); i < n; i += grid_threads()) {
        const float x = (sobol[i] - 0.5f) * 2.0f * scale;
        const float y = (sobol[n + i] - 0.5f) * 2.0f * scale;
        const float z = (sobol[2 * n + i] - 0.5f) * 2.0f * scale;
        pos[i] = make_float4(x, y, z, masses[i]);
        vel[i] = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
    }
}

// Map uniforms in (0, 1] to [1 - spread, 1 + spread], then scale so that the
// total mass is one.
__global__ void shape_masses_kernel(float* __restrict__ masses, int n, float spread) {
    for (int i = global_tid(); i < n; i += grid_threads()) {
        masses[i] = 1.0f + spread * (2.0f * masses[i] - 1.0f);
    }
}

__global__ void scale_floats_kernel(float* __restrict__ values, int n, float factor) {
    for (int i = global_tid(); i < n; i += grid_threads()) {
        values[i] *= factor;
    }
}

// ---------------------------------------------------------------------------
// Host side
// ---------------------------------------------------------------------------

static int rng_grid(int n) {
    return std::min(div_up(n, NBODY_BLOCK), 2048);
}

RngState create_rng_state(int n, unsigned long long seed, cudaStream_t stream) {
    RngState rng;
    rng.n = n;
    CUDA_CHECK(cudaMalloc(&rng.states, sizeof(curandState) * n));
    setup_rng_kernel<<<rng_grid(n), NBODY_BLOCK, 0, stream>>>(rng.states, seed, n);
    CUDA_CHECK_LAUNCH();
    return rng;
}

void destroy_rng_state(RngState& rng) {
    CUDA_CHECK(cudaFree(rng.states));
    rng.states = nullptr;
    rng.n = 0;
}

// Masses through the host API: one generator call, then shaping and
// normalisation on the device.
static float* generate_masses(int n, unsigned long long seed, float spread, cudaStream_t stream) {
    float* d_masses = nullptr;
    CUDA_CHECK(cudaMalloc(&d_masses, sizeof(float) * n));

    curandGenerator_t gen;
    CURAND_CHECK(curandCreateGenerator(&gen, CURAND_RNG_PSEUDO_PHILOX4_32_10));
    CURAND_CHECK(curandSetPseudoRandomGeneratorSeed(gen, seed ^ 0x9e3779b97f4a7c15ull));
    CURAND_CHECK(curandSetStream(gen, stream));
    CURAND_CHECK(curandGenerateUniform(gen, d_masses, static_cast<size_t>(n)));
    CURAND_CHECK(curandDestroyGenerator(gen));

    shape_masses_kernel<<<rng_grid(n), NBODY_BLOCK, 0, stream>>>(d_masses, n, spread);
    CUDA_CHECK_LAUNCH();
    const double total = device_sum(d_masses, n, stream);
    scale_floats_kernel<<<rng_grid(n), NBODY_BLOCK, 0, stream>>>(d_masses, n,
                                                                 static_cast<float>(1.0 / total));
    CUDA_CHECK_LAUNCH();
    return d_masses;
}

static void generate_cube(const DeviceState& s, const float* d_masses, float scale,
                          cudaStream_t stream) {
    float* d_sobol = nullptr;
    CUDA_CHECK(cudaMalloc(&d_sobol, sizeof(float) * 3 * s.n));

    curandGenerator_t gen;
    CURAND_CHECK(curandCreateGenerator(&gen, CURAND_RNG_QUASI_SOBOL32));
    CURAND_CHECK(curandSetQuasiRandomGeneratorDimensions(gen, 3));
    CURAND_CHECK(curandSetStream(gen, stream));
    CURAND_CHECK(curandGenerateUniform(gen, d_sobol, static_cast<size_t>(3) * s.n));
    CURAND_CHECK(curandDestroyGenerator(gen));

    cube_from_sobol_kernel<<<rng_grid(s.n), NBODY_BLOCK, 0, stream>>>(d_sobol, d_masses, s.pos,
                                                                      s.vel, s.n, scale);
    CUDA_CHECK_LAUNCH();
    CUDA_CHECK(cudaStreamSynchronize(stream));
    CUDA_CHECK(cudaFree(d_sobol));
}

void generate_initial_conditions(const DeviceState& s, RngState& rng, const InitConfig& cfg,
                                 cudaStream_t stream) {
    if (rng.n < s.n) {
        std::fprintf(stderr, "rng: state buffer holds %d bodies, need %d\n", rng.n, s.n);
        std::exit(EXIT_FAILURE);
    }
    float* d_masses = generate_masses(s.n, cfg.seed, cfg.mass_spread, stream);
    const float3 zero = make_float3(0.0f, 0.0f, 0.0f);

    switch (cfg.model) {
    case InitialModel::Plummer:
        plummer_kernel<<<rng_grid(s.n), NBODY_BLOCK, 0, stream>>>(
            rng.states, s.pos, s.vel, d_masses, s.n, 0, s.n, cfg.scale, zero, zero);
        CUDA_CHECK_LAUNCH();
        break;
    case InitialModel::Cube:
        generate_cube(s, d_masses, cfg.scale, stream);
        break;
    case InitialModel::Collision: {
        // Two half-mass clusters 6 scale lengths apart, approaching at a
        // speed comparable to their internal dispersion.
        const int half = s.n / 2;
        const float sep = 3.0f * cfg.scale;
        const float speed = 0.35f;
        plummer_kernel<<<rng_grid(half), NBODY_BLOCK, 0, stream>>>(
            rng.states, s.pos, s.vel, d_masses, s.n, 0, half, cfg.scale,
            make_float3(-sep, 0.5f * cfg.scale, 0.0f), make_float3(speed, 0.0f, 0.0f));
        CUDA_CHECK_LAUNCH();
        plummer_kernel<<<rng_grid(s.n - half), NBODY_BLOCK, 0, stream>>>(
            rng.states, s.pos, s.vel, d_masses, s.n, half, s.n - half, cfg.scale,
            make_float3(sep, -0.5f * cfg.scale, 0.0f), make_float3(-speed, 0.0f, 0.0f));
        CUDA_CHECK_LAUNCH();
        break;
    }
    }

    if (cfg.thermal_sigma > 0.0f) perturb_velocities(s, rng, cfg.thermal_sigma, stream);

    // The masses were copied into pos.w; the scratch buffer can go once the
    // kernels that read it have finished.
    CUDA_CHECK(cudaStreamSynchronize(stream));
    CUDA_CHECK(cudaFree(d_masses));
}

void perturb_velocities(const DeviceState& s, RngState& rng, float sigma, cudaStream_t stream) {
    thermal_kick_kernel<<<rng_grid(s.n), NBODY_BLOCK, 0, stream>>>(rng.states, s.vel, s.n, sigma);
    CUDA_CHECK_LAUNCH();
}

const char* model_name(InitialModel m) {
    switch (m) {
    case InitialModel::Plummer: return "plummer";
    case InitialModel::Cube: return "cube";
    case InitialModel::Collision: return "collision";
    }
    return "?";
}

bool parse_model(const char* text, InitialModel* out) {
    if (std::strcmp(text, "plummer") == 0) { *out = InitialModel::Plummer; return true; }
    if (std::strcmp(text, "cube") == 0) { *out = InitialModel::Cube; return true; }
    if (std::strcmp(text, "collision") == 0) { *out = InitialModel::Collision; return true; }
    return false;
}
