// Dense float64 linear algebra for packages/limits (linalg.cc): symmetricEigen, matmulABt, and
// openblas (whether OpenBLAS loads here: openblas.cc).
#pragma once

#include <napi.h>

namespace mflinalg {

/** Adds symmetricEigen, matmulABt and openblas to the addon's exports. */
void Register(Napi::Env env, Napi::Object exports);

}  // namespace mflinalg
