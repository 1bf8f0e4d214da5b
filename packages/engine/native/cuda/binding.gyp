{
  "targets": [
    {
      "target_name": "mfsim_cuda",
      "sources": ["binding_cuda.cc"],
      "include_dirs": ["<!@(node -p \"require('node-addon-api').include\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-O2"],
      "libraries": [
        "<!(node -p \"process.env.MFSIM_CUDA_OBJ || ''\")",
        "-L<!(node -p \"(process.env.MFSIM_CUDA_HOME || '/usr/local/cuda') + '/lib64'\")",
        "-L<!(node -p \"(process.env.MFSIM_CUDA_HOME || '/usr/local/cuda') + '/targets/x86_64-linux/lib'\")",
        "-L<!(node -p \"(process.env.MFSIM_CUDA_HOME || '/usr/local/cuda') + '/lib'\")",
        "-lcudart_static", "-ldl", "-lrt", "-lpthread"
      ]
    }
  ]
}
