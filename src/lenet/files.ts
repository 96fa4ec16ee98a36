// Writing files so that nothing already recorded is lost: a temporary file
// beside the target, then a rename, which is atomic on one filesystem.
import * as fs from "fs";
import * as path from "path";

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}
