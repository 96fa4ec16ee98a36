// Prepares (again) the cached splits under data/: the 1989-sized ones and step 06's.
import { EXPERIMENTS } from "../lenet/config";
import { clearCache, loadData } from "../lenet/data";
import { main } from "./args";

main(async () => {
  clearCache();
  const seen = new Set<string>();
  for (const c of Object.values(EXPERIMENTS)) {
    const key = `${c.trainCount}/${c.testCount}/${c.splitOrder}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const d = loadData(c);
    console.log(`data: ${d.train.name} (${d.train.sha256.images.slice(0, 12)}), ${d.test.name} (${d.test.sha256.images.slice(0, 12)})`);
  }
});
