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
 * code and tf.grad stay stock: dW[kh,kw,ci,co] = sum over b,oh,ow of
 * x[b, oh*sh + kh*dh - top, ow*sw + kw*dw - left, ci] * dy[b,oh,ow,co], NHWC.
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
      const wasmBackend = backend as unknown as {
        typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
        makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
      };
      const xs = wasmBackend.typedArrayFromHeap(x);
      const dys = wasmBackend.typedArrayFromHeap(dy);
      const out = wasmBackend.makeOutput(filterShape, "float32");
      const dw = wasmBackend.typedArrayFromHeap(out);
      dw.fill(0);
      const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, strideHeight, strideWidth, filterHeight, filterWidth } = info;
      const top = info.padInfo.top, left = info.padInfo.left;
      for (let b = 0; b < batchSize; b++) {
        for (let oh = 0; oh < outHeight; oh++) {
          for (let ow = 0; ow < outWidth; ow++) {
            const dyBase = ((b * outHeight + oh) * outWidth + ow) * outChannels;
            for (let kh = 0; kh < filterHeight; kh++) {
              const ih = oh * strideHeight + kh * info.dilationHeight - top;
              if (ih < 0 || ih >= inHeight) continue;
              for (let kw = 0; kw < filterWidth; kw++) {
                const iw = ow * strideWidth + kw * info.dilationWidth - left;
                if (iw < 0 || iw >= inWidth) continue;
                const xBase = ((b * inHeight + ih) * inWidth + iw) * inChannels;
                const wBase = (kh * filterWidth + kw) * inChannels * outChannels;
                for (let ci = 0; ci < inChannels; ci++) {
                  const xv = xs[xBase + ci];
                  if (xv === 0) continue;
                  const w = wBase + ci * outChannels;
                  for (let co = 0; co < outChannels; co++) dw[w + co] += xv * dys[dyBase + co];
                }
              }
            }
          }
        }
      }
      return out;
    },
  });
}
