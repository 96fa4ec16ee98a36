// Notebook 01 executed headless by Jupyter on the repo's tslab kernel, with a tiny config,
// recording into a temporary folder: the committed results stay untouched.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.resolve(__dirname, "..");

function treeHash(dir: string): string {
  const h = crypto.createHash("sha256");
  if (!fs.existsSync(dir)) return "absent";
  for (const f of fs.readdirSync(dir, { recursive: true }).map(String).sort()) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) h.update(f).update(fs.readFileSync(p));
  }
  return h.digest("hex");
}

test("notebook 01 runs headless and records its artefacts", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lenet-nb-"));
  const before = treeHash(path.join(root, "results"));
  const r = spawnSync("jupyter", ["nbconvert", "--to", "notebook", "--execute", "notebooks/01-baseline.ipynb", "--output-dir", tmp, "--ExecutePreprocessor.timeout=300"], {
    cwd: root,
    encoding: "utf8",
    env: {
      ...process.env,
      JUPYTER_PATH: path.join(root, "jupyter"),
      LENET_CONFIG: JSON.stringify({ passes: 2, trainCount: 300, testCount: 200 }),
      LENET_RESULTS_ROOT: path.join(tmp, "results"),
      LENET_PLOTLY_SRC: "plotly.js",
    },
  });
  assert.equal(r.status, 0, r.stderr.slice(-3000));
  const nb = JSON.parse(fs.readFileSync(path.join(tmp, "01-baseline.ipynb"), "utf8"));
  const outputs = nb.cells.flatMap((c: { outputs?: unknown[] }) => c.outputs ?? []) as { output_type: string; text?: string[]; data?: Record<string, string[]> }[];
  assert.equal(outputs.filter((o) => o.output_type === "error").length, 0);
  const html = outputs.map((o) => (o.data?.["text/html"] ?? []).join("")).join("\n");
  const text = outputs.map((o) => (o.text ?? []).join("")).join("");
  // Live progress ended on the last pass; two charts per curve display; both mistake grids.
  assert.match(html, /pass 2 of 2: train error \d+\.\d\d% \(\d+\), test error/);
  assert.ok((html.match(/Plotly\.newPlot\(/g) ?? []).length >= 4);
  assert.equal((html.match(/<img class="lenet-mistakes"[^>]*src="data:image\/png;base64,/g) ?? []).length, 2);
  assert.match(html, /2022 reference \(PyTorch, MNIST\)<\/td><td>23<\/td><td>0\.62<\/td><td>45<\/td><td>4\.09<\/td><td>82/);
  // The eval lines: two per pass, then the reloaded weights evaluate to the last two.
  const lines = text.split("\n").filter((l) => l.startsWith("eval: "));
  assert.equal(lines.length, 6);
  lines.forEach((l) => assert.match(l, /^eval: split (train|test ). loss \d\.\d{6}e[-+]\d\d\. error \d+\.\d\d%\. misses: \d+$/));
  assert.deepEqual(lines.slice(4), lines.slice(2, 4));
  const dir = path.join(tmp, "results", "01-baseline");
  assert.deepEqual(fs.readdirSync(dir).sort(), ["config.json", "eval.txt", "history.csv", "mistakes-test.png", "mistakes-train.png", "weights.bin"]);
  assert.equal(fs.readFileSync(path.join(dir, "eval.txt"), "utf8"), lines.slice(0, 4).join("\n") + "\n");
  assert.equal(JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8")).config.trainCount, 300);
  assert.equal(treeHash(path.join(root, "results")), before);
});
