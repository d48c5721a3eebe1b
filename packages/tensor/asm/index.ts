// The cpu backend's WebAssembly kernels: one module, built by scripts/build-wasm.mjs.
export * from './gemm';
export * from './rows';
export * from './cluster';
export * from './gram';
