// Choosing the TensorFlow.js backend at run time: tfjs-node ("tensorflow") when it is
// installed, else WebAssembly with the one gradient kernel it lacks, else plain JS ("cpu").
import * as path from "path";
import * as tf from "@tensorflow/tfjs";
import type { Backend } from "./config";

export type ResolvedBackend = Exclude<Backend, "auto">;

/** Sets up and selects a backend; returns the one in use. */
export async function useBackend(want: Backend = "auto"): Promise<ResolvedBackend> {
  // Production mode: skips per-op debug checks, and keeps the "install tfjs-node" banner
  // out of notebook outputs; the backend in use is reported with every run instead.
  tf.enableProdMode();
  const order: ResolvedBackend[] = want === "auto" ? ["tensorflow", "wasm", "cpu"] : [want];
  const failures: string[] = [];
  for (const name of order) {
    const why = await tryBackend(name);
    if (why === null) return name;
    failures.push(`${name}: ${why}`);
  }
  throw new Error(`no TensorFlow.js backend could be set up (${failures.join("; ")}). Valid backends: auto, tensorflow, wasm, cpu.`);
}

async function tryBackend(name: ResolvedBackend): Promise<string | null> {
  if (tf.getBackend() === name) return null;
  try {
    if (name === "tensorflow") {
      // Optional dependency: absent where its native library could not be downloaded.
      require("@tensorflow/tfjs-node");
      if (!tf.findBackendFactory("tensorflow")) return "@tensorflow/tfjs-node did not register its backend";
    } else if (name === "wasm") {
      const wasm = require("@tensorflow/tfjs-backend-wasm") as typeof import("@tensorflow/tfjs-backend-wasm");
      wasm.setWasmPaths(path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm")) + path.sep);
      registerWasmConv2DBackpropFilter();
    }
    return (await tf.setBackend(name)) ? null : `tf.setBackend("${name}") failed`;
  } catch (e) {
    const msg = (e as Error).message.split("\n")[0];
    return (e as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND" ? "not installed" : msg;
  }
}

/**
 * The wasm backend has no kernel for the filter gradient of a convolution, so it cannot
 * train a convnet as shipped. This supplies it, registered as a kernel so that the model
 * code and tf.grad stay stock. The filter gradient of a strided convolution is itself a
 * convolution, which wasm has (XNNPACK, SIMD):
 *   dW[kh,kw,ci,co] = sum over b,oh,ow of x[b, oh*s + kh - top, ow*s + kw - left, ci] * dy[b,oh,ow,co]
 * is the convolution of x, read as [ci, H, W, b] (channels as the batch), with dy, read as
 * a filter [oh, ow, b, co], at dilation s; its first kh x kw outputs, transposed.
 */
export function registerWasmConv2DBackpropFilter(): void {
  if (tf.getKernel("Conv2DBackpropFilter", "wasm")) return;
  tf.registerKernel({
    kernelName: "Conv2DBackpropFilter",
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
        strides: [number, number] | number;
        pad: "valid" | "same" | number;
        dataFormat: "NHWC" | "NCHW";
        dimRoundingMode?: "floor" | "round" | "ceil";
        filterShape: [number, number, number, number];
      };
      if (dataFormat !== "NHWC") throw new Error(`Conv2DBackpropFilter on wasm: only NHWC is supported, got ${dataFormat}`);
      const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, "channelsLast");
      const run = (kernel: string, ins: Record<string, tf.TensorInfo>, at: object) => tf.getKernel(kernel, "wasm")!.kernelFunc({ inputs: ins, backend, attrs: at as tf.NamedAttrMap }) as tf.TensorInfo;
      const { top, left } = info.padInfo;
      // Enough padding below and to the right for kh x kw outputs (the rest is cut off).
      const bottom = Math.max(0, info.filterHeight - (info.inHeight + top - (info.outHeight - 1) * info.strideHeight));
      const right = Math.max(0, info.filterWidth - (info.inWidth + left - (info.outWidth - 1) * info.strideWidth));
      const xT = run("Transpose", { x }, { perm: [3, 1, 2, 0] });
      const dyT = run("Transpose", { x: dy }, { perm: [1, 2, 0, 3] });
      const all = run("Conv2D", { x: xT, filter: dyT }, { strides: [1, 1], pad: [[0, 0], [top, bottom], [left, right], [0, 0]], dataFormat: "NHWC", dilations: [info.strideHeight, info.strideWidth] });
      const cut = run("Slice", { x: all }, { begin: [0, 0, 0, 0], size: [info.inChannels, info.filterHeight, info.filterWidth, info.outChannels] });
      const dw = run("Transpose", { x: cut }, { perm: [1, 2, 0, 3] });
      for (const t of [xT, dyT, all, cut]) (backend as tf.KernelBackend).disposeData(t.dataId);
      return dw;
    },
  });
}
