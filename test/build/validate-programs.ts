/**
 * The CPU "GPU programs" of the validation tests: one C++ source, built with g++ on each box, as
 * the reference (`g++ sim.cpp`) or the candidate (`g++ -DSIDE_CANDIDATE sim.cpp`). Its first
 * argument picks the behaviour that reproduces one comparison case:
 *
 * | mode | reference | candidate |
 * |---|---|---|
 * | identical | writes grid.bin (float32 64×48), grid.npy (float64 16×8), prints `result = ...` | the same bytes |
 * | within | as identical | every float × (1 + 3e-7) (and the printed sum in its last digits) |
 * | over | as identical | grid.bin[10][20] += 0.5 |
 * | nan | as identical | grid.bin[7] = NaN |
 * | nondet | grid.bin[0] = its pid (differs per run) | same |
 * | crash | as identical | dereferences a null pointer (SIGSEGV) |
 * | timeout | as identical | sleeps 60 s |
 * | missing | as identical | does not write grid.bin |
 * | huge | N float32 (argv[2], default 8M) in big.bin | big.bin[N-3] += 1 |
 * | signedzero | grid.bin[5] = +0 | grid.bin[5] = -0 |
 *
 * Any mode but huge: when the case copied in an input `scale.txt`, the grid is scaled by its number
 * and `scale = K` is printed.
 */
export const SIM_CPP = String.raw`
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>
#include <unistd.h>

#ifdef SIDE_CANDIDATE
static const bool cand = true;
#else
static const bool cand = false;
#endif

static void write_raw(const char* path, const void* data, size_t bytes) {
    FILE* f = std::fopen(path, "wb");
    if (!f) { std::perror(path); std::exit(3); }
    std::fwrite(data, 1, bytes, f);
    std::fclose(f);
}

// NumPy .npy version 1.0, '<f8', C order.
static void write_npy(const char* path, const std::vector<double>& v, int rows, int cols) {
    char dict[128];
    std::snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }", rows, cols);
    std::string h = dict;
    size_t total = 10 + h.size() + 1;
    h.append((64 - total % 64) % 64, ' ');
    h.push_back('\n');
    FILE* f = std::fopen(path, "wb");
    const unsigned char magic[8] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
    std::fwrite(magic, 1, 8, f);
    unsigned short len = (unsigned short)h.size();
    std::fwrite(&len, 2, 1, f);
    std::fwrite(h.data(), 1, h.size(), f);
    std::fwrite(v.data(), sizeof(double), v.size(), f);
    std::fclose(f);
}

int main(int argc, char** argv) {
    std::string mode = argc > 1 ? argv[1] : "identical";
    if (mode == "huge") {
        size_t n = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : (8u << 20);
        std::vector<float> a(n);
        for (size_t i = 0; i < n; ++i) a[i] = std::sin(0.001f * (float)(i % 100000));
        if (cand) a[n - 3] += 1.0f;
        write_raw("big.bin", a.data(), n * sizeof(float));
        std::printf("wrote %zu floats\n", n);
        return 0;
    }
    if (cand && mode == "crash") {
        volatile int* p = nullptr;
        *p = 42;
    }
    if (cand && mode == "timeout") sleep(60);

    const int R = 64, C = 48;
    std::vector<float> g(R * C);
    double sum = 0;
    for (int r = 0; r < R; ++r)
        for (int c = 0; c < C; ++c) {
            float x = std::sin(0.1f * r) * std::cos(0.07f * c) + 0.001f * r;
            if (cand && mode == "within") x = x * (1.0f + 3e-7f);
            g[r * C + c] = x;
        }
    if (cand && mode == "over") g[10 * C + 20] += 0.5f;
    if (cand && mode == "nan") g[7] = NAN;
    if (mode == "nondet") g[0] = (float)getpid();
    if (mode == "signedzero") g[5] = cand ? -0.0f : 0.0f;
    // An input file, when the case copies one in: scales the grid.
    if (FILE* in = std::fopen("scale.txt", "r")) {
        float k = 1;
        if (std::fscanf(in, "%f", &k) == 1) for (float& x : g) x *= k;
        std::fclose(in);
        std::printf("scale = %g\n", k);
    }
    for (float x : g) sum += x;

    std::vector<double> d(16 * 8);
    for (int i = 0; i < 16 * 8; ++i) d[i] = std::exp(-0.01 * i) * (cand && mode == "within" ? 1.0 + 1e-12 : 1.0);

    if (!(cand && mode == "missing")) write_raw("grid.bin", g.data(), g.size() * sizeof(float));
    write_npy("grid.npy", d, 16, 8);
    std::printf("nbody-ish run, mode %s\n", mode.c_str());
    std::printf("elapsed %d ms\n", cand ? 17 : 42);  // differs: the config ignores this line
    std::printf("bodies = %d\n", R * C);
    std::printf("result = %.9f\n", sum);
    return 0;
}
`;
