// Dense float64 linear algebra for packages/limits (linalg.cc): symmetricEigen, matmulABt, and
// openblas (whether OpenBLAS loads here: openblas.cc) with the OpenBLAS-only symmetricABt,
// rowQuadratic and congruence.
#pragma once

#include <napi.h>

namespace mflinalg {

/** Adds symmetricEigen, matmulABt, openblas, symmetricABt, rowQuadratic and congruence to the addon's exports. */
void Register(Napi::Env env, Napi::Object exports);

}  // namespace mflinalg
