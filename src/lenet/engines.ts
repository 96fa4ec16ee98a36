// Picking and building the engine a config asks for: "fused" (hand-written, fastest),
// "tfjs" (the reference definition, on a TensorFlow.js backend), or "auto": fused when it
// supports the config, else tfjs.
import type { Config } from "./config";
import type { Engine } from "./engine";
import { useBackend } from "./backend";
import { createFusedEngine, fusedSupports } from "./engine-fused";
import { createTfjsEngine } from "./engine-tfjs";
import type { Params } from "./params";

export async function createEngine(config: Config, initial: Params): Promise<Engine> {
  if (config.engine === "fused" && config.backend !== "auto") {
    throw new Error(`the fused engine runs in plain JavaScript: backend "${config.backend}" applies to engine "tfjs" only. Set backend "auto", or engine "tfjs".`);
  }
  // "auto" means fused, unless a TensorFlow.js backend was asked for by name.
  if (config.engine === "fused" || (config.engine === "auto" && config.backend === "auto" && fusedSupports(config) === null)) {
    return createFusedEngine(config, initial); // says why, if it cannot run the config
  }
  const backend = await useBackend(config.backend);
  return createTfjsEngine(config, initial, backend);
}
