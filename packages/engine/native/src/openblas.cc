// OpenBLAS through dlopen (see openblas.h). Loaded once per process (a static local: thread-safe
// across Node's worker threads); the handle is never closed.
#include "openblas.h"

#include <dlfcn.h>

#include <cstdlib>
#include <vector>

namespace mfopenblas {

namespace {

struct Loaded {
  Library lib{};
  bool ok = false;
  std::string reason;
};

template <typename F>
bool symbol(void* handle, const char* name, F* out) {
  *out = reinterpret_cast<F>(dlsym(handle, name));
  return *out != nullptr;
}

Loaded open() {
  Loaded r;
  std::vector<std::string> names;
  if (const char* path = std::getenv("MFSIM_OPENBLAS"); path && *path) {
    names.emplace_back(path);  // only that file (a path that does not exist: as on a host without it)
  } else {
    names.emplace_back("libopenblas.so.0");
    names.emplace_back("libopenblas.so");
  }
  std::string tried;
  for (const std::string& name : names) {
    void* handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* err = dlerror();
      tried += (tried.empty() ? "" : "; ") + std::string(err ? err : name + ": not found");
      continue;
    }
    Library& lib = r.lib;
    const char* (*getConfig)() = nullptr;
    if (!symbol(handle, "openblas_set_num_threads", &lib.setThreads) || !symbol(handle, "openblas_get_config", &getConfig)) {
      tried += (tried.empty() ? "" : "; ") + name + ": not OpenBLAS (no openblas_set_num_threads)";
      dlclose(handle);
      continue;
    }
    lib.config = getConfig();
    if (lib.config.find("USE64BITINT") != std::string::npos) {
      tried += (tried.empty() ? "" : "; ") + name + ": a 64-bit-integer build (" + lib.config + ")";
      dlclose(handle);
      continue;
    }
    if (!symbol(handle, "dsyevd_", &lib.dsyevd) || !symbol(handle, "dsyevr_", &lib.dsyevr) || !symbol(handle, "dgemm_", &lib.dgemm) ||
        !symbol(handle, "dsyrk_", &lib.dsyrk) || !symbol(handle, "dtrmm_", &lib.dtrmm)) {
      tried += (tried.empty() ? "" : "; ") + name + ": no dsyevd_, dsyevr_, dgemm_, dsyrk_ or dtrmm_";
      dlclose(handle);
      continue;
    }
    // dlsym also searches the file's dependencies: a reference liblapack.so.3 linked against an
    // OpenBLAS libblas.so.3 would pass the checks above with the slow dsyevd_. All from one file.
    Dl_info blas{}, evd{}, evr{}, gemm{};
    if (!dladdr(reinterpret_cast<void*>(lib.setThreads), &blas) || !dladdr(reinterpret_cast<void*>(lib.dsyevd), &evd) ||
        !dladdr(reinterpret_cast<void*>(lib.dsyevr), &evr) || !dladdr(reinterpret_cast<void*>(lib.dgemm), &gemm) ||
        evd.dli_fbase != blas.dli_fbase || evr.dli_fbase != blas.dli_fbase || gemm.dli_fbase != blas.dli_fbase) {
      tried += (tried.empty() ? "" : "; ") + name + ": its LAPACK is not OpenBLAS's (" + (evd.dli_fname ? evd.dli_fname : "?") + ")";
      dlclose(handle);
      continue;
    }
    // Optional routines (dsyevd's pieces, dpotrf), taken only from the same file: else null (dsyevd
    // whole; the congruence by two products).
    const auto optional = [&](const char* symbolName, auto* fn) {
      Dl_info piece{};
      if (!symbol(handle, symbolName, fn) || !dladdr(reinterpret_cast<void*>(*fn), &piece) || piece.dli_fbase != blas.dli_fbase)
        *fn = nullptr;
      return *fn != nullptr;
    };
    if (!optional("dsytrd_", &lib.dsytrd) || !optional("dstedc_", &lib.dstedc)) {
      lib.dsytrd = nullptr;
      lib.dstedc = nullptr;
    }
    optional("dpotrf_", &lib.dpotrf);
    lib.path = blas.dli_fname ? blas.dli_fname : name;
    r.ok = true;
    return r;
  }
  r.reason = "OpenBLAS not found (" + tried + ")";
  return r;
}

}  // namespace

const Library* load(std::string* reason) {
  static const Loaded loaded = open();
  if (!loaded.ok && reason) *reason = loaded.reason;
  return loaded.ok ? &loaded.lib : nullptr;
}

}  // namespace mfopenblas
