// Tiny "--key value" argument parsing for the command-line entries, with clear errors.
export function parseArgs(argv: string[], allowed: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, "");
    if (!argv[i].startsWith("--") || !(key in allowed)) {
      throw new Error(`unknown argument "${argv[i]}"; valid:\n${Object.entries(allowed).map(([k, v]) => `  --${k} ${v}`).join("\n")}`);
    }
    if (i + 1 >= argv.length || argv[i + 1].startsWith("--")) throw new Error(`--${key} needs a value (${allowed[key]})`);
    out[key] = argv[++i];
  }
  return out;
}

/** The value of --config: config edits as a JSON object. */
export function configEdits(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  try {
    const edits = JSON.parse(text);
    if (edits === null || typeof edits !== "object" || Array.isArray(edits)) throw new Error(`got ${text}`);
    return edits;
  } catch (e) {
    throw new Error(`--config must be a JSON object of config fields: ${(e as Error).message}`);
  }
}

/** Runs a command's main, printing an error as one clear message and exiting 1. */
export function main(run: () => Promise<void>): void {
  run().catch((e: Error) => {
    console.error(`error: ${e.message}`);
    process.exit(1);
  });
}
