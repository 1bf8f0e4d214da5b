// Dense float64 linear algebra for packages/limits (linalg.cc): symmetricEigen, matmulABt.
#pragma once

#include <napi.h>

namespace mflinalg {

/** Adds symmetricEigen and matmulABt to the addon's exports. */
void Register(Napi::Env env, Napi::Object exports);

}  // namespace mflinalg
