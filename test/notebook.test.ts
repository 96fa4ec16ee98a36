// Every notebook executed headless by Jupyter on the repo's tslab kernel, with a tiny
// config, recording into a temporary folder (the committed results stay untouched); then
// the exported report pages opened in headless Chromium: charts drawn, tables and mistake
// pictures there, nothing logged as an error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.resolve(__dirname, "..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "lenet-nb-"));
const reports = path.join(tmp, "reports");
const results = path.join(tmp, "results");
const env = {
  ...process.env,
  JUPYTER_PATH: path.join(root, "jupyter"),
  LENET_CONFIG: JSON.stringify({ passes: 2, trainCount: 300, testCount: 200 }),
  LENET_RESULTS_ROOT: results,
  LENET_PLOTLY_SRC: "plotly.js",
};
const notebooks = fs.readdirSync(path.join(root, "notebooks")).filter((f) => f.endsWith(".ipynb")).map((f) => f.replace(/\.ipynb$/, "")).sort();

function treeHash(dir: string): string {
  const h = crypto.createHash("sha256");
  if (!fs.existsSync(dir)) return "absent";
  for (const f of fs.readdirSync(dir, { recursive: true }).map(String).sort()) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) h.update(f).update(fs.readFileSync(p));
  }
  return h.digest("hex");
}

type Output = { output_type: string; text?: string[]; data?: Record<string, string[]> };
const executed: Record<string, Output[]> = {};
const committedBefore = treeHash(path.join(root, "results"));

function jupyter(args: string[]) {
  const r = spawnSync("jupyter", args, { cwd: root, encoding: "utf8", env });
  assert.equal(r.status, 0, `jupyter ${args.join(" ")}:\n${r.stderr.slice(-3000)}`);
}

for (const name of notebooks) {
  test(`notebook ${name} runs headless and exports a report page`, () => {
    jupyter(["nbconvert", "--to", "notebook", "--execute", `notebooks/${name}.ipynb`, "--output-dir", tmp, "--ExecutePreprocessor.timeout=300", "--log-level=WARN"]);
    jupyter(["nbconvert", "--to", "html", "--template", "lenet", path.join(tmp, `${name}.ipynb`), "--output-dir", reports, "--log-level=WARN"]);
    const nb = JSON.parse(fs.readFileSync(path.join(tmp, `${name}.ipynb`), "utf8"));
    const outputs: Output[] = nb.cells.flatMap((c: { outputs?: Output[] }) => c.outputs ?? []);
    assert.equal(outputs.filter((o) => o.output_type === "error").length, 0);
    executed[name] = outputs;
    const html = outputs.map((o) => (o.data?.["text/html"] ?? []).join("")).join("\n");
    if (name.startsWith("07")) {
      assert.match(html, /Plotly\.newPlot\(/);
      assert.ok(fs.existsSync(path.join(results, "summary.md")));
    } else {
      // Live progress ended on the last pass; the curves; both mistake grids of every run.
      const runs = name.startsWith("06") ? ["06a-more-data-1989", "06b-more-data-modern"] : [name];
      assert.equal((html.match(/pass 2 of 2: train error \d+\.\d\d% \(\d+\), test error/g) ?? []).length, runs.length);
      assert.equal((html.match(/<img class="lenet-mistakes"[^>]*src="data:image\/png;base64,/g) ?? []).length, 2 * runs.length);
      for (const run of runs) assert.deepEqual(fs.readdirSync(path.join(results, run)).sort(), ["config.json", "eval.txt", "history.csv", "mistakes-test.png", "mistakes-train.png", "weights.bin"]);
    }
  });
}

test("notebook 01: eval lines, the comparison, and its reloaded weights", () => {
  const outputs = executed["01-baseline"];
  assert.ok(outputs, "notebook 01 did not run");
  const html = outputs.map((o) => (o.data?.["text/html"] ?? []).join("")).join("\n");
  const text = outputs.map((o) => (o.text ?? []).join("")).join("");
  assert.match(html, /2022 reference \(PyTorch, MNIST\)<\/td><td>23<\/td><td>0\.62<\/td><td>45<\/td><td>4\.09<\/td><td>82/);
  const lines = text.split("\n").filter((l) => l.startsWith("eval: "));
  assert.equal(lines.length, 6); // two per pass, then the reloaded weights' two
  lines.forEach((l) => assert.match(l, /^eval: split (train|test ). loss \d\.\d{6}e[-+]\d\d\. error \d+\.\d\d%\. misses: \d+$/));
  assert.deepEqual(lines.slice(4), lines.slice(2, 4));
  const dir = path.join(results, "01-baseline");
  assert.equal(fs.readFileSync(path.join(dir, "eval.txt"), "utf8"), lines.slice(0, 4).join("\n") + "\n");
  assert.equal(JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8")).config.trainCount, 300);
});

test("the committed results are untouched by the notebook runs", () => {
  assert.equal(treeHash(path.join(root, "results")), committedBefore);
});

const chromium = "/usr/bin/chromium";
test("report pages render in headless Chromium: charts, tables, pictures, no errors", { skip: fs.existsSync(chromium) ? false : `${chromium} is not installed` }, async () => {
  assert.equal(Object.keys(executed).length, notebooks.length, "every notebook must have run first");
  fs.copyFileSync(path.join(root, "node_modules/plotly.js-dist/plotly.js"), path.join(reports, "plotly.js"));
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "scripts/report-index.ts"), reports], { cwd: root, encoding: "utf8", env });
  assert.equal(r.status, 0, r.stderr);
  const { chromium: launcher } = await import("playwright-core");
  const browser = await launcher.launch({ executablePath: chromium, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });
  try {
    for (const page of [...notebooks, "index"]) {
      const tab = await browser.newPage();
      const errors: string[] = [];
      tab.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      tab.on("pageerror", (e) => errors.push(e.message));
      await tab.goto(`file://${path.join(reports, `${page}.html`)}`, { waitUntil: "load" });
      const seen = await tab.evaluate(() => ({
        plots: document.querySelectorAll(".lenet-plot").length,
        drawn: document.querySelectorAll(".lenet-plot svg.main-svg").length,
        traces: document.querySelectorAll(".lenet-plot .scatterlayer .trace").length,
        tables: document.querySelectorAll("table.lenet-table").length,
        images: Array.from(document.querySelectorAll("img.lenet-mistakes")).map((i) => (i as HTMLImageElement).naturalWidth),
        links: Array.from(document.querySelectorAll("a")).map((a) => a.getAttribute("href")),
      }));
      assert.deepEqual(errors, [], `${page}: errors logged`);
      if (page === "index") {
        assert.equal(seen.tables, 1);
        for (const nb of notebooks) assert.ok(seen.links.includes(`${nb}.html`), `index links ${nb}`);
      } else {
        assert.ok(seen.plots >= 1, `${page}: no charts`);
        assert.ok(seen.drawn >= seen.plots, `${page}: ${seen.plots} charts, ${seen.drawn} drawn`);
        assert.ok(seen.traces >= seen.plots, `${page}: charts without traces`);
        if (!page.startsWith("07")) {
          assert.ok(seen.tables >= 2, `${page}: tables missing`);
          assert.ok(seen.images.length >= 2 && seen.images.every((w) => w > 0), `${page}: mistake pictures missing or broken`);
        }
      }
      await tab.close();
    }
  } finally {
    await browser.close();
  }
  // One copy of the plotting library beside the pages, none inside them.
  for (const nb of notebooks) assert.ok(fs.statSync(path.join(reports, `${nb}.html`)).size < 3e6, `${nb}.html is over 3 MB`);
});
