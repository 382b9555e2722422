{
  "variables": {
    "kernel_flags": ["-O3", "-fPIC", "-std=c++17", "-fno-math-errno", "-Wno-psabi"]
  },
  "targets": [
    {
      "target_name": "fhekit_native",
      "sources": ["src/addon.cc", "src/kernel-portable.cc"],
      "cflags_cc": ["<@(kernel_flags)"],
      "conditions": [
        ["target_arch=='x64'", {"dependencies": ["kernel_avx512", "kernel_avx2"]}]
      ],
      "xcode_settings": {"OTHER_CPLUSPLUSFLAGS": ["<@(kernel_flags)"]}
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "kernel_avx512",
          "type": "static_library",
          "sources": ["src/kernel-avx512.cc"],
          "cflags_cc": ["<@(kernel_flags)", "-mavx512f", "-mavx2", "-mfma", "-mprefer-vector-width=512"],
          "xcode_settings": {"OTHER_CPLUSPLUSFLAGS": ["<@(kernel_flags)", "-mavx512f", "-mavx2", "-mfma", "-mprefer-vector-width=512"]}
        },
        {
          "target_name": "kernel_avx2",
          "type": "static_library",
          "sources": ["src/kernel-avx2.cc"],
          "cflags_cc": ["<@(kernel_flags)", "-mavx2", "-mfma"],
          "xcode_settings": {"OTHER_CPLUSPLUSFLAGS": ["<@(kernel_flags)", "-mavx2", "-mfma"]}
        }
      ]
    }]
  ]
}
