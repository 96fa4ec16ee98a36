// The one module the notebooks import: everything a step needs.
export * from "./config";
export * from "./data";
export * from "./params";
export * from "./train";
export * from "./results";
export * from "./notebook";
export * from "./summary";
export * from "./seeds";
export { PUBLISHED } from "./reference";
export { useBackend } from "./backend";
export { createEngine } from "./engines";
