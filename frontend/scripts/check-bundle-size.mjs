// Prints the gzipped size of the JavaScript the first page loads, and fails over the budget.
//
// "The first page" is dist/index.html: every <script src> and <link rel="modulepreload"> it
// names is fetched before anything renders. (All routes are in that bundle; see
// src/app/routes.tsx. A lazily loaded route would have to be added here.)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

// Decimal kilobytes, as Vite prints them (and the stricter reading of "150 KB").
const BUDGET_BYTES = 150_000;
const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;

const dist = path.join(path.dirname(path.dirname(fileURLToPath(import.meta.url))), 'dist');
const html = readFileSync(path.join(dist, 'index.html'), 'utf8');

const scripts = [
  ...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g),
  ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*\shref="([^"]+)"/g),
].map((match) => match[1]);

if (scripts.length === 0) {
  console.error('dist/index.html loads no script: is this a Vite build?');
  process.exit(1);
}

// zlib's default level (6), as Vite's own report and most servers use. nginx's default
// gzip_comp_level is 1, which sends more bytes: printed too, so nobody is surprised.
let total = 0;
let totalAtLevel1 = 0;
for (const src of scripts) {
  const source = readFileSync(path.join(dist, src));
  const gzipped = gzipSync(source).length;
  total += gzipped;
  totalAtLevel1 += gzipSync(source, { level: 1 }).length;
  console.log(`  ${src}  ${kB(source.length)}, ${kB(gzipped)} gzipped`);
}

const summary =
  `First-page JavaScript: ${kB(total)} gzipped (budget ${kB(BUDGET_BYTES)}; ` +
  `${kB(totalAtLevel1)} at gzip level 1)`;
if (total > BUDGET_BYTES) {
  console.error(`${summary}: OVER BUDGET`);
  process.exit(1);
}
console.log(summary);
