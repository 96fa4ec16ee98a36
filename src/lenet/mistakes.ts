// Pictures of what the network gets wrong: a grid of misclassified digits, each
// captioned "true>predicted" (true in black, predicted in red), as a PNG.
import { PIXELS, SIDE, Split } from "./data";
import { encodePng } from "./png";

// A 3x5 bitmap font for the ten digits and ">", one row of 3 bits per line.
const GLYPHS: Record<string, number[]> = {
  "0": [7, 5, 5, 5, 7], "1": [2, 6, 2, 2, 7], "2": [7, 1, 7, 4, 7], "3": [7, 1, 7, 1, 7], "4": [5, 5, 7, 1, 1],
  "5": [7, 4, 7, 1, 7], "6": [7, 4, 7, 5, 7], "7": [7, 1, 2, 2, 2], "8": [7, 5, 7, 5, 7], "9": [7, 5, 7, 1, 7],
  ">": [4, 2, 1, 2, 4],
};

const ZOOM = 3; // each input pixel as 3x3 screen pixels
const FONT = 2; // each font pixel as 2x2
const TILE = SIDE * ZOOM; // 48
const CAPTION = 5 * FONT + 4;
const GAP = 4;

export interface Mistake {
  index: number; // position in the split
  label: number;
  predicted: number;
}

export function mistakesOf(split: Split, predicted: Uint8Array): Mistake[] {
  const out: Mistake[] = [];
  for (let i = 0; i < split.count; i++) if (predicted[i] !== split.labels[i]) out.push({ index: i, label: split.labels[i], predicted: predicted[i] });
  return out;
}

/** A PNG grid of up to `max` mistakes, in dataset order. */
export function mistakeGrid(split: Split, mistakes: Mistake[], columns = 12, max = 120): Buffer {
  const shown = mistakes.slice(0, max);
  const rows = Math.max(1, Math.ceil(shown.length / columns));
  const width = columns * (TILE + GAP) + GAP;
  const height = rows * (TILE + CAPTION + GAP) + GAP;
  const rgb = new Uint8Array(width * height * 3).fill(255);
  const put = (x: number, y: number, r: number, g: number, b: number) => {
    const o = (y * width + x) * 3;
    rgb[o] = r;
    rgb[o + 1] = g;
    rgb[o + 2] = b;
  };
  shown.forEach((m, k) => {
    const x0 = GAP + (k % columns) * (TILE + GAP);
    const y0 = GAP + Math.floor(k / columns) * (TILE + CAPTION + GAP);
    const img = split.images.subarray(m.index * PIXELS, (m.index + 1) * PIXELS);
    for (let y = 0; y < TILE; y++) {
      for (let x = 0; x < TILE; x++) {
        // -1 (background) is white, +1 (ink) is black.
        const v = img[Math.floor(y / ZOOM) * SIDE + Math.floor(x / ZOOM)];
        const grey = Math.round(255 * (1 - Math.min(Math.max((v + 1) / 2, 0), 1)));
        put(x0 + x, y0 + y, grey, grey, grey);
      }
    }
    const text = `${m.label}>${m.predicted}`;
    const textWidth = text.length * 4 * FONT - FONT;
    let cx = x0 + Math.floor((TILE - textWidth) / 2);
    for (let c = 0; c < text.length; c++) {
      const colour: [number, number, number] = c === 2 ? [200, 0, 0] : c === 1 ? [120, 120, 120] : [0, 0, 0];
      GLYPHS[text[c]].forEach((bits, gy) => {
        for (let gx = 0; gx < 3; gx++) {
          if (!(bits & (4 >> gx))) continue;
          for (let dy = 0; dy < FONT; dy++) for (let dx = 0; dx < FONT; dx++) put(cx + gx * FONT + dx, y0 + TILE + 2 + gy * FONT + dy, ...colour);
        }
      });
      cx += 4 * FONT;
    }
  });
  return encodePng(width, height, rgb);
}
