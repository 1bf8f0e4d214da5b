// exp and log of FreeBSD's msun (fdlibm), as V8's base/ieee754.cc computes Math.exp and Math.log,
// in plain float64 arithmetic (compiled with no FMA contraction), so the random numbers drawn here
// round exactly as the TypeScript generator's (packages/engine/src/fdlibm.ts is the same code).
#pragma once

namespace mf {
double fd_exp(double x);
double fd_log(double x);
}  // namespace mf
