// nbody-lab: device query, occupancy-based launch tuning and a lane probe.
#include "arch.cuh"
#include "integrate.cuh"

#include <cstring>

// Each lane writes the hardware lane id next to the lane id derived from
// threadIdx.x, plus the ballot of lanes that think they are even.
__global__ void lane_probe_kernel(unsigned int* hw_lane, unsigned int* sw_lane,
                                  unsigned int* even_ballot) {
    const unsigned int tid = threadIdx.x;
    hw_lane[tid] = ptx_lane_id();
    sw_lane[tid] = tid % WARP_SIZE;
    const unsigned int ballot = __ballot_sync(FULL_MASK, (tid & 1u) == 0u);
    if (tid == 0) {
        *even_ballot = ballot;
    }
}

DeviceInfo query_device(int device, bool verbose) {
    int count = 0;
    CUDA_CHECK(cudaGetDeviceCount(&count));
    if (count == 0) {
        std::fprintf(stderr, "nbody-lab: no CUDA-capable device found\n");
        std::exit(EXIT_FAILURE);
    }
    if (device < 0 || device >= count) {
        std::fprintf(stderr, "nbody-lab: device %d out of range (cudaGetDeviceCount = %d)\n",
                     device, count);
        std::exit(EXIT_FAILURE);
    }
    CUDA_CHECK(cudaSetDevice(device));

    cudaDeviceProp prop;
    CUDA_CHECK(cudaGetDeviceProperties(&prop, device));

    DeviceInfo info;
    std::memset(&info, 0, sizeof(info));
    info.device = device;
    info.sm_count = prop.multiProcessorCount;
    info.warp_size = prop.warpSize;
    info.major = prop.major;
    info.minor = prop.minor;
    info.max_threads_per_block = prop.maxThreadsPerBlock;
    info.shared_per_block = prop.sharedMemPerBlock;
    info.global_mem = prop.totalGlobalMem;
    info.l2_bytes = prop.l2CacheSize;
    info.async_engines = prop.asyncEngineCount > 0;
    std::snprintf(info.name, sizeof(info.name), "%s", prop.name);

    // The clock rate moved out of cudaDeviceProp; ask for the attribute.
    CUDA_CHECK(cudaDeviceGetAttribute(&info.clock_khz, cudaDevAttrClockRate, device));

    // Independent thread scheduling and the fast rsqrt path start at Volta.
    info.volta_or_newer = prop.major >= 7;

    if (prop.major < 6) {
        std::fprintf(stderr,
                     "nbody-lab: %s is compute capability %d.%d; sm_60 or newer is required "
                     "(double-precision atomicAdd)\n",
                     prop.name, prop.major, prop.minor);
        std::exit(EXIT_FAILURE);
    }
    if (prop.warpSize != WARP_SIZE) {
        std::fprintf(stderr, "nbody-lab: unexpected warpSize %d (built for %d)\n",
                     prop.warpSize, WARP_SIZE);
        std::exit(EXIT_FAILURE);
    }

    if (verbose) {
        std::printf("CUDA device %d: %s\n", device, prop.name);
        std::printf("  compute capability : sm_%d%d%s\n", prop.major, prop.minor,
                    info.volta_or_newer ? " (Volta+ code paths enabled)" : "");
        std::printf("  multiprocessors    : %d\n", prop.multiProcessorCount);
        std::printf("  warpSize           : %d\n", prop.warpSize);
        std::printf("  global memory      : %.1f GiB\n",
                    static_cast<double>(prop.totalGlobalMem) / (1024.0 * 1024.0 * 1024.0));
        std::printf("  shared mem / block : %zu KiB\n", prop.sharedMemPerBlock / 1024);
        std::printf("  L2 cache           : %d KiB\n", prop.l2CacheSize / 1024);
        std::printf("  SM clock           : %.0f MHz\n", info.clock_khz / 1000.0);
        std::printf("  copy engines       : %d\n", prop.asyncEngineCount);
    }
    return info;
}

int suggest_force_block(const DeviceInfo& info) {
    // Try the tile-compatible block sizes and keep the one with the most
    // resident warps per SM. The force kernel needs blockDim == FORCE_TILE or
    // a multiple of it, so only those are considered.
    int best_block = FORCE_TILE;
    int best_warps = 0;
    for (int block = FORCE_TILE; block <= info.max_threads_per_block; block += FORCE_TILE) {
        int blocks_per_sm = 0;
        CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(
            &blocks_per_sm, force_kernel_symbol(), block, force_kernel_smem(block)));
        const int warps = blocks_per_sm * block / 32;
        if (warps > best_warps) {
            best_warps = warps;
            best_block = block;
        }
    }
    return best_block;
}

bool probe_lane_layout(cudaStream_t stream) {
    unsigned int* d_buf = nullptr;
    CUDA_CHECK(cudaMalloc(&d_buf, (2 * WARP_SIZE + 1) * sizeof(unsigned int)));
    lane_probe_kernel<<<1, WARP_SIZE, 0, stream>>>(d_buf, d_buf + WARP_SIZE, d_buf + 2 * WARP_SIZE);
    CUDA_CHECK_LAUNCH();

    unsigned int h_buf[2 * WARP_SIZE + 1];
    CUDA_CHECK(cudaMemcpyAsync(h_buf, d_buf, sizeof(h_buf), cudaMemcpyDeviceToHost, stream));
    CUDA_CHECK(cudaStreamSynchronize(stream));
    CUDA_CHECK(cudaFree(d_buf));

    bool ok = true;
    for (int i = 0; i < WARP_SIZE; ++i) {
        if (h_buf[i] != h_buf[WARP_SIZE + i]) {
            std::fprintf(stderr, "lane probe: thread %d has %%laneid %u but threadIdx.x %% 32 = %u\n",
                         i, h_buf[i], h_buf[WARP_SIZE + i]);
            ok = false;
        }
    }
    // Even lanes of a 32-wide warp: 0x55555555.
    if (h_buf[2 * WARP_SIZE] != 0x55555555u) {
        std::fprintf(stderr, "lane probe: __ballot_sync returned 0x%08x, expected 0x55555555\n",
                     h_buf[2 * WARP_SIZE]);
        ok = false;
    }
    return ok;
}
