// Picking and building the engine a config asks for.
import type { Config } from "./config";
import type { Engine } from "./engine";
import { useBackend } from "./backend";
import { createTfjsEngine } from "./engine-tfjs";
import type { Params } from "./params";

export async function createEngine(config: Config, initial: Params): Promise<Engine> {
  const backend = await useBackend(config.backend);
  return createTfjsEngine(config, initial, backend);
}
