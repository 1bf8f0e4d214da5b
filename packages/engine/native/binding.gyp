{
  "targets": [
    {
      "target_name": "mfsim_native",
      "sources": ["src/binding.cc", "src/mfkernel.cc", "src/targets.cc"],
      "include_dirs": ["<!@(node -p \"require('node-addon-api').include\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-fopenmp", "-ffp-contract=fast", "-Wno-psabi",
                    "<!(node -p \"process.env.MFSIM_MARCH || '-march=native'\")"],
      "cflags": ["-O3"],
      "ldflags": ["-fopenmp"],
      "libraries": ["-fopenmp"]
    }
  ]
}
