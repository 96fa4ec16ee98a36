// What the notebooks show: live progress, tables (danfojs), charts (plotly) and the
// mistake grids, on tslab's display. Notebooks stay thin and call these.
import * as fs from "fs";
import * as path from "path";
import type { Display } from "tslab";
import { BUILDS_ON, Config, EXPERIMENTS, experiment } from "./config";
import { checkpointPath } from "./checkpoint";
import { mistakeGrid, mistakesOf } from "./mistakes";
import { PUBLISHED } from "./reference";
import { recordRun, runDir } from "./results";
import { StepSummary, summarize, summaryMarkdown, writeSummary } from "./summary";
import { PassRecord, RunResult, train } from "./train";

// tslab exists only inside the kernel; load it there, so the module also runs from the CLI.
const tslab = () => require("tslab") as typeof import("tslab");
const dfd = () => require("danfojs-node") as typeof import("danfojs-node");

/**
 * A step's config with the reader's edits. The environment can add edits too
 * (LENET_CONFIG, a JSON object): the headless smoke test uses it for a tiny run.
 */
export function notebookConfig(name: string, edits: Partial<Config> = {}): Config {
  const env = process.env.LENET_CONFIG ? (JSON.parse(process.env.LENET_CONFIG) as Partial<Config>) : {};
  const config = experiment(name, { ...edits, ...env });
  const base = EXPERIMENTS[name] as Config;
  const changed = (Object.keys(config) as (keyof Config)[]).filter((k) => config[k] !== base[k]);
  const note = changed.length ? `edited: ${changed.map((k) => `${k} = ${JSON.stringify(config[k])} (step: ${JSON.stringify(base[k])})`).join(", ")}` : "the step's own config";
  tslab().display.html(`<pre>${escape(JSON.stringify(config, null, 1))}</pre><p>${escape(note)}; results go to <code>${escape(path.relative(process.cwd(), resultsFolder(config)))}</code></p>`);
  return config;
}

/** Where this notebook records: LENET_RESULTS_ROOT (tests) or the config's own place. */
export function resultsFolder(config: Config): string {
  return runDir(config, process.env.LENET_RESULTS_ROOT || undefined);
}

/**
 * Loads plotly once per page: a shared file for exported pages, else inline (works offline).
 * Where require.js is on the page (the classic Notebook), plotly would register as an AMD
 * module and leave window.Plotly unset, so `define` is hidden while it loads.
 */
export function setupCharts(): void {
  const src = process.env.LENET_PLOTLY_SRC;
  const script = src ? `<script src="${escape(src)}"></script>` : `<script>${fs.readFileSync(require.resolve("plotly.js-dist"), "utf8")}</script>`;
  const hide = "<script>window.lenetDefine = window.define; window.define = undefined;</script>";
  const restore = "<script>window.define = window.lenetDefine;</script>";
  tslab().display.html(`${hide}${script}${restore}<span style="color:#888">charts: plotly.js ${src ? `from ${escape(src)}` : "inline"}</span>`);
}

let plots = 0;
function plot(traces: object[], layout: object, height = 340): string {
  const id = `lenet-plot-${Date.now().toString(36)}-${plots++}`;
  const args = [JSON.stringify(id), JSON.stringify(traces), JSON.stringify({ height, autosize: true, margin: { t: 40, r: 20, b: 50, l: 60 }, ...layout }), '{"responsive": true, "displaylogo": false}'].join(", ");
  // The div's width comes from the page: plotly sizes the chart to it (and follows resizes).
  return `<div id="${id}" class="lenet-plot" style="width:100%;height:${height}px"></div><script>Plotly.newPlot(${args});</script>`;
}

/** Train and test loss (log scale) and error per pass, side by side. */
export function curvesHtml(history: PassRecord[], title = ""): string {
  const x = history.map((h) => h.pass);
  const line = (name: string, y: number[], dash = "solid") => ({ x, y, name, mode: "lines+markers", line: { dash } });
  const loss = plot([line("train", history.map((h) => h.train_loss)), line("test", history.map((h) => h.test_loss), "dot")], { title: { text: `${title} loss`, x: 0.02 }, xaxis: { title: { text: "pass" } }, yaxis: { type: "log", title: { text: "loss" } } });
  const error = plot([line("train", history.map((h) => h.train_error)), line("test", history.map((h) => h.test_error), "dot")], { title: { text: `${title} error`, x: 0.02 }, xaxis: { title: { text: "pass" } }, yaxis: { title: { text: "error (%)" }, rangemode: "tozero" } });
  // Two equal columns that may shrink below the charts' default width (minmax(0, 1fr)).
  return `<div style="display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:8px">${loss}${error}</div>`;
}

export function showCurves(history: PassRecord[]): void {
  tslab().display.html(curvesHtml(history));
}

/** Trains with live progress in the notebook: pass k of N, current errors, growing curves. */
export async function trainWithProgress(config: Config): Promise<RunResult> {
  const progress: Display = tslab().newDisplay();
  progress.html(`<p>starting ${escape(config.experiment)}, ${config.passes} passes over ${config.trainCount} digits&hellip;</p>`);
  const root = process.env.LENET_RESULTS_ROOT;
  const result = await train(config, {
    // An interrupted kernel loses nothing: rerunning the cell continues from the last pass.
    checkpoint: root ? checkpointPath(config, root) : checkpointPath(config),
    onPass: (h, history) => progress.html(`<p><b>${status(h)}</b></p>${curvesHtml(history)}`),
  });
  // Done: the growing curves give way to one line; the report below draws them in full.
  const last = result.history[result.history.length - 1];
  progress.html(`<p><b>${status(last)}</b>; ${result.seconds.toFixed(1)} s in all on engine ${result.engine} (${result.backend}).</p>`);
  return result;

  function status(h: PassRecord): string {
    return `pass ${h.pass} of ${config.passes}: train error ${h.train_error.toFixed(2)}% (${h.train_misses}), test error ${h.test_error.toFixed(2)}% (${h.test_misses}), ${h.seconds.toFixed(1)} s`;
  }
}

/** Records the run's artefacts and says where. */
export function record(result: RunResult): string {
  const dir = recordRun(result, resultsFolder(result.config));
  tslab().display.html(`<p>recorded ${fs.readdirSync(dir).map((f) => `<code>${f}</code>`).join(", ")} in <code>${escape(path.relative(process.cwd(), dir))}</code> (engine ${result.engine}, backend ${result.backend}, ${result.seconds.toFixed(1)} s)</p>`);
  return dir;
}

/** A danfojs DataFrame as an HTML table. */
export function frameHtml(df: InstanceType<ReturnType<typeof dfd>["DataFrame"]>): string {
  const head = `<tr>${df.columns.map((c) => `<th>${escape(String(c))}</th>`).join("")}</tr>`;
  const rows = (df.values as unknown[][]).map((r) => `<tr>${r.map((v) => `<td>${escape(String(v))}</td>`).join("")}</tr>`).join("");
  return `<table class="lenet-table">${head}${rows}</table>`;
}

/** The run's final evaluation beside the published single runs of the same step. */
export function comparisonFrame(result: RunResult) {
  const { train: tr, test: te } = result.final;
  const rows = [
    ...(PUBLISHED[result.config.experiment] ?? []).map((p) => [p.source, p.passes, p.trainError.toFixed(2), p.trainMisses, p.testError.toFixed(2), p.testMisses]),
    [`this repo (seed ${result.config.seed}, ${result.engine}/${result.backend})`, result.history.length, (tr.error * 100).toFixed(2), tr.misses, (te.error * 100).toFixed(2), te.misses],
  ];
  return new (dfd().DataFrame)(rows, { columns: ["run", "passes", "train error %", "train misses", "test error %", "test misses"] });
}

export function showComparison(result: RunResult): void {
  tslab().display.html(frameHtml(comparisonFrame(result)));
}

/** The eval table: one row per pass. */
export function showEvalTable(history: PassRecord[]): void {
  const df = new (dfd().DataFrame)(
    history.map((h) => [h.pass, Number(h.lr.toPrecision(4)), h.train_loss.toExponential(4), h.train_error.toFixed(2), h.train_misses, h.test_loss.toExponential(4), h.test_error.toFixed(2), h.test_misses, h.seconds.toFixed(1)]),
    { columns: ["pass", "lr", "train loss", "train error %", "train misses", "test loss", "test error %", "test misses", "seconds"] },
  );
  tslab().display.html(frameHtml(df));
}

/** The grid of misclassified digits of one split, captioned true>predicted. */
export function showMistakes(result: RunResult, split: "train" | "test", max = 120): void {
  const mistakes = mistakesOf(result.data[split], result.final[split].predicted);
  const png = mistakeGrid(result.data[split], mistakes, 12, max);
  const shown = Math.min(max, mistakes.length);
  tslab().display.html(`<p>${split}: ${mistakes.length} of ${result.data[split].count} digits misclassified${shown < mistakes.length ? `, the first ${shown} shown` : ""}; each captioned true&gt;<span style="color:#c00">predicted</span>.</p><img class="lenet-mistakes" alt="${split} mistakes" src="data:image/png;base64,${png.toString("base64")}">`);
}

function escape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** What this step changes from the step it builds on, field by field. */
export function showConfigDiff(name: string): void {
  const previous = BUILDS_ON[name];
  if (!previous) return void tslab().display.html("<p>(the first step: nothing to compare with)</p>");
  const a = EXPERIMENTS[previous] as Config, b = EXPERIMENTS[name] as Config;
  const rows = (Object.keys(b) as (keyof Config)[]).filter((k) => k !== "experiment" && a[k] !== b[k]).map((k) => [k, JSON.stringify(a[k]), JSON.stringify(b[k])]);
  tslab().display.html(frameHtml(new (dfd().DataFrame)(rows, { columns: ["field", previous, name] })));
}

/** The usual report of a finished run: eval table, curves, the comparison and both mistake grids. */
export function report(result: RunResult): void {
  showEvalTable(result.history);
  showCurves(result.history);
  showComparison(result);
  showMistakes(result, "test");
  showMistakes(result, "train");
}

/** Test error per step: the mean over seeds with one standard deviation, seed 1337, the reference. */
export function summaryChartHtml(steps: StepSummary[]): string {
  const x = steps.map((s) => s.experiment);
  return plot(
    [
      { x, y: steps.map((s) => s.test.mean), error_y: { type: "data", array: steps.map((s) => (Number.isNaN(s.test.std) ? 0 : s.test.std)), visible: true }, name: "this repo, mean ± std over seeds", type: "scatter", mode: "markers", marker: { size: 10 } },
      { x, y: steps.map((s) => s.seed1337?.test_error ?? null), name: "this repo, seed 1337", mode: "markers", marker: { symbol: "x", size: 9 } },
      { x, y: steps.map((s) => s.reference?.testError ?? null), name: "2022 reference", mode: "markers", marker: { symbol: "diamond-open", size: 10 } },
    ],
    { title: { text: "test error per step" }, yaxis: { title: { text: "test error (%)" }, rangemode: "tozero" }, legend: { orientation: "h", y: -0.25 } },
    420,
  );
}

/** The summary table and chart; writes results/summary.md and the README section (or, in tests, under LENET_RESULTS_ROOT). */
export function showSummary(): StepSummary[] {
  const steps = summarize();
  const markdown = summaryMarkdown(steps);
  const root = process.env.LENET_RESULTS_ROOT;
  if (root) writeSummary(markdown, path.join(root, "summary.md"), false);
  else writeSummary(markdown);
  tslab().display.markdown(markdown);
  tslab().display.html(summaryChartHtml(steps));
  return steps;
}
