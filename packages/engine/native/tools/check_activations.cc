// g++ -O2 -march=native -I../src check_activations.cc && ./a.out : max errors against libm (double).
#include "simd.h"
#include <cmath>
#include <cstdio>
using namespace mf;
int main() {
  const char* names[] = {"exp", "tanh", "sigmoid", "erf"};
  for (int f = 0; f < 4; f++) {
    double maxabs = 0, maxrel = 0, at = 0;
    for (double x0 = -12; x0 < 12; x0 += 1e-4 * VL) {
      float xs[VL];
      for (int j = 0; j < VL; j++) xs[j] = (float)(x0 + 1e-4 * j);
      vf x = vload(xs), y;
      if (f == 0) y = vexp(x); else if (f == 1) y = vtanh(x); else if (f == 2) y = vsigmoid(x); else y = verf(x);
      for (int j = 0; j < VL; j++) {
        double xd = xs[j], r;
        if (f == 0) r = std::exp(xd); else if (f == 1) r = std::tanh(xd); else if (f == 2) r = 1 / (1 + std::exp(-xd)); else r = std::erf(xd);
        double ae = std::fabs(y[j] - r), re = ae / std::fmax(std::fabs(r), 1e-30);
        if (ae > maxabs) maxabs = ae;
        if (re > maxrel) { maxrel = re; at = xd; }
      }
    }
    printf("%-8s max abs %.3g max rel %.3g (at %g)\n", names[f], maxabs, maxrel, at);
  }
  float nanv = NAN; vf xn = vset(nanv);
  printf("nan: exp %g tanh %g sig %g erf %g\n", vexp(xn)[0], vtanh(xn)[0], vsigmoid(xn)[0], verf(xn)[0]);
  vf big = vset(1e30f);
  printf("big: exp %g tanh %g sig %g erf %g; -big tanh %g erf %g sig %g\n", vexp(big)[0], vtanh(big)[0], vsigmoid(big)[0], verf(big)[0], vtanh(-big)[0], verf(-big)[0], vsigmoid(-big)[0]);
}
