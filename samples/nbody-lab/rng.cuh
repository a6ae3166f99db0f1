// nbody-lab: initial conditions from cuRAND (rng.cu).
#pragma once

#include "common.cuh"

#include <curand.h>
#include <curand_kernel.h>

// cuRAND host API calls return curandStatus_t rather than cudaError_t.
#define CURAND_CHECK(call)                                                      \
    do {                                                                        \
        curandStatus_t st_ = (call);                                            \
        if (st_ != CURAND_STATUS_SUCCESS) {                                     \
            std::fprintf(stderr, "cuRAND error %d at %s:%d\n",                  \
                         static_cast<int>(st_), __FILE__, __LINE__);            \
            std::exit(EXIT_FAILURE);                                            \
        }                                                                       \
    } while (0)

enum class InitialModel {
    Plummer,    // Plummer sphere in virial equilibrium
    Cube,       // cold uniform cube (quasi-random Sobol positions)
    Collision,  // two Plummer spheres on a collision course
};

struct InitConfig {
    InitialModel model;
    unsigned long long seed;
    float mass_spread;   // masses uniform in [1 - spread, 1 + spread] before normalising
    float thermal_sigma; // extra Gaussian velocity noise
    float scale;         // length scale of the model
};

// Per-body generator state for the device API, reused across re-seeds.
struct RngState {
    curandState* states;
    int n;
};

RngState create_rng_state(int n, unsigned long long seed, cudaStream_t stream);
void destroy_rng_state(RngState& rng);

// Fill pos (xyz, w = mass) and vel for `s.n` bodies according to `cfg`.
void generate_initial_conditions(const DeviceState& s, RngState& rng, const InitConfig& cfg,
                                 cudaStream_t stream);

// Add Gaussian noise of standard deviation sigma to every velocity.
void perturb_velocities(const DeviceState& s, RngState& rng, float sigma, cudaStream_t stream);

const char* model_name(InitialModel m);
bool parse_model(const char* text, InitialModel* out);
