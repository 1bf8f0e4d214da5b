// OpenBLAS, found at run time (openblas.cc): the optimised LAPACK and BLAS routines linalg.cc uses
// when the host has the library, the built-in solver otherwise. No header or link-time dependency:
// the addon builds and loads on a host without it.
#pragma once

#include <string>

namespace mfopenblas {

/** The Fortran entry points (LP64: 32-bit integers), each with its hidden string lengths. */
struct Library {
  std::string path;    // the file dlopen found, e.g. libopenblas.so.0
  std::string config;  // openblas_get_config(): version and build options
  void (*dsyevd)(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w, double* work,
                 const int* lwork, int* iwork, const int* liwork, int* info, size_t, size_t);
  void (*dsyevr)(const char* jobz, const char* range, const char* uplo, const int* n, double* a, const int* lda,
                 const double* vl, const double* vu, const int* il, const int* iu, const double* abstol, int* m,
                 double* w, double* z, const int* ldz, int* isuppz, double* work, const int* lwork, int* iwork,
                 const int* liwork, int* info, size_t, size_t, size_t);
  void (*dgemm)(const char* transa, const char* transb, const int* m, const int* n, const int* k, const double* alpha,
                const double* a, const int* lda, const double* b, const int* ldb, const double* beta, double* c,
                const int* ldc, size_t, size_t);
  void (*dsyrk)(const char* uplo, const char* trans, const int* n, const int* k, const double* alpha, const double* a,
                const int* lda, const double* beta, double* c, const int* ldc, size_t, size_t);
  void (*dtrmm)(const char* side, const char* uplo, const char* transa, const char* diag, const int* m, const int* n,
                const double* alpha, const double* a, const int* lda, double* b, const int* ldb, size_t, size_t, size_t,
                size_t);
  void (*setThreads)(int);
  // Optional (null when the file lacks them; linalg.cc then takes dsyevd whole): the pieces of
  // dsyevd, so that linalg.cc applies the Householder reflectors in wider blocks than dormtr does.
  void (*dsytrd)(const char* uplo, const int* n, double* a, const int* lda, double* d, double* e, double* tau,
                 double* work, const int* lwork, int* info, size_t);
  void (*dstedc)(const char* compz, const int* n, double* d, double* e, double* z, const int* ldz, double* work,
                 const int* lwork, int* iwork, const int* liwork, int* info, size_t);
  // Optional too (null: linalg.cc's congruence takes two dgemms).
  void (*dpotrf)(const char* uplo, const int* n, double* a, const int* lda, int* info, size_t);
};

/**
 * The library, loaded on first call (libopenblas.so.0, then libopenblas.so; MFSIM_OPENBLAS names
 * the one file to try instead), or null with `reason` set. Only a library that exports openblas_set_num_threads is
 * taken (never a reference LAPACK behind liblapack.so.3), and never a 64-bit-integer build.
 */
const Library* load(std::string* reason);

}  // namespace mfopenblas
