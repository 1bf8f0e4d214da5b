{
  "target_defaults": {
    "sources": ["src/binding.cc", "src/mfkernel.cc", "src/targets.cc", "src/rng.cc", "src/fdlibm.cc", "src/peak.cc", "src/linalg.cc", "src/openblas.cc"],
    "include_dirs": ["<!@(node -p \"require('node-addon-api').include\")"],
    "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_CPP_EXCEPTIONS"],
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions"],
    "cflags": ["-O3"],
    "ldflags": ["-fopenmp"],
    "libraries": ["-fopenmp", "-ldl"]
  },
  "targets": [
    {
      "target_name": "mfsim_native",
      "cflags_cc": ["-std=c++17", "-fexceptions", "-fopenmp", "-ffp-contract=fast", "-Wno-psabi",
                    "<!(node -p \"process.env.MFSIM_MARCH || (process.arch === 'x64' ? '-march=x86-64-v3' : '-march=native')\")"]
    },
    {
      "target_name": "mfsim_native_avx512",
      "cflags_cc": ["-std=c++17", "-fexceptions", "-fopenmp", "-ffp-contract=fast", "-Wno-psabi",
                    "<!(node -p \"process.env.MFSIM_MARCH || (process.arch === 'x64' ? '-march=x86-64-v4' : '-march=native')\")"]
    }
  ]
}
