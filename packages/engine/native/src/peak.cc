// The machine's measured fp32 peak: independent fused multiply-add chains in SIMD registers on
// `threads` OpenMP threads (the same instruction set as the kernel), for the benchmark's
// "fraction of peak". Timed by each thread's CPU clock, best of many short repeats, so a busy
// machine (other processes taking turns on the cores) does not lower the figure. Not used by any
// computation.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <vector>

#include "mfkernel.h"
#include "simd.h"
#ifdef _OPENMP
#include <omp.h>
#endif

namespace mf {

double peak_gflops(int threads, double seconds) {
  constexpr int CH = 12;  // chains: enough to cover the FMA latency on two pipes
  constexpr long iters = 1 << 15;
  const int T = std::max(1, threads);
  std::vector<double> best(T, 0.0);
  const auto start = std::chrono::steady_clock::now();
  for (int rep = 0; rep < 100000; rep++) {
#pragma omp parallel num_threads(T)
    {
#ifdef _OPENMP
      const int t = omp_get_thread_num();
#else
      const int t = 0;
#endif
      timespec a, b2;
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
      vf acc[CH];
      for (int j = 0; j < CH; j++) acc[j] = vset(1.0f + j * 1e-3f);
      const vf m = vset(0.999999f), c = vset(1e-7f);
      for (long i = 0; i < iters; i++) {
        for (int j = 0; j < CH; j++) acc[j] = acc[j] * m + c;
        asm volatile("" : "+x"(acc[0]), "+x"(acc[1]), "+x"(acc[2]), "+x"(acc[3]));
      }
      vf s = acc[0];
      for (int j = 1; j < CH; j++) s += acc[j];
      asm volatile("" ::"x"(s));
      clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b2);
      const double dt = (b2.tv_sec - a.tv_sec) + 1e-9 * (b2.tv_nsec - a.tv_nsec);
      if (dt > 0) best[t] = std::max(best[t], 2.0 * VL * CH * (double)iters / dt / 1e9);
    }
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > seconds) break;
  }
  double sum = 0;
  for (double v : best) sum += v;
  return sum;
}

}  // namespace mf
