// Writes reports/index.html: the summary table and a link to each notebook's report page.
import * as fs from "fs";
import * as path from "path";
import { writeFileAtomic } from "../src/lenet/files";
import { ROOT } from "../src/lenet/provenance";
import { summaryHtml } from "../src/lenet/summary";

const dir = path.resolve(process.argv[2] ?? path.join(ROOT, "reports"));
const pages = fs.readdirSync(dir).filter((f) => f.endsWith(".html") && f !== "index.html").sort();
const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>lecun1989-ts: reports</title>
<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}table{border-collapse:collapse;font-size:14px}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}</style>
</head><body>
<h1>lecun1989-ts</h1>
<p>LeCun et al.'s 1989 handwritten-digit network on MNIST, then improved one modern idea at a time. Each page is a notebook executed headless by <code>npm run notebooks</code>.</p>
<h2>Report pages</h2>
<ul>${pages.map((p) => `<li><a href="${p}">${p.replace(/\.html$/, "")}</a></li>`).join("")}</ul>
<h2>Summary</h2>
${summaryHtml()}
</body></html>
`;
writeFileAtomic(path.join(dir, "index.html"), html);
console.log(`wrote ${path.join(dir, "index.html")} (${pages.length} pages)`);
