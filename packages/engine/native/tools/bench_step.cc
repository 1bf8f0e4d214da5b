// Cycles of the kernel's step without Node, for perf stat on a busy machine (wall time there is
// meaningless, user cycles are not):
//   g++ -O3 -march=x86-64-v3 -fopenmp -ffp-contract=fast -Isrc tools/bench_step.cc src/mfkernel.cc -o /tmp/bench_step
//   perf stat -e cycles:u,instructions:u /tmp/bench_step [steps] [threads] [n] [P] [R]
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "mfkernel.h"

int main(int argc, char** argv) {
  const int steps = argc > 1 ? atoi(argv[1]) : 20, threads = argc > 2 ? atoi(argv[2]) : 1;
  const int n = argc > 3 ? atoi(argv[3]) : 1024, P = argc > 4 ? atoi(argv[4]) : 1024, R = argc > 5 ? atoi(argv[5]) : 4;
  const int d = 32;
  std::mt19937 g(1);
  std::normal_distribution<float> N(0, 1);
  std::vector<float> c(R * n), w((size_t)R * n * d), b(R * n), x((size_t)R * P * d), y(R * P);
  for (auto& v : c) v = N(g);
  for (auto& v : w) v = N(g) / 5.66f;
  for (auto& v : x) v = N(g);
  for (auto& v : y) v = N(g);
  std::vector<double> loss(R);
  mf::NetParams net{mf::TANH, 1.0f, 1.0f / n};
  mf::Shape s{R, n, d, P, true};
  for (int k = 0; k < steps; k++) mf::step(net, s, c.data(), w.data(), b.data(), x.data(), y.data(), nullptr, 0.05f * n, 0, loss.data(), threads);
  std::printf("loss %.6f  flops/step %.3e\n", loss[0], 4.0 * R * P * n * d);
}
