// Generates the typed API client in src/lib/api/ from the backend's OpenAPI schema: the SDK,
// its types, the request schemas the forms take their limits from (schemas.gen.ts) and the
// schema itself (openapi.json, which the tests' mock API validates every request and answer by).
//
//   node scripts/generate-api-client.mjs          regenerate src/lib/api/
//   node scripts/generate-api-client.mjs --check  fail when src/lib/api/ is stale
//
// The schema comes from the backend itself (`python -m app.openapi`), so the client can never
// drift from the code that serves it. OPENAPI_FILE=path reads a saved schema instead.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@hey-api/openapi-ts';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const committed = path.join(root, 'src/lib/api');

function readSchema() {
  if (process.env.OPENAPI_FILE) return JSON.parse(readFileSync(process.env.OPENAPI_FILE, 'utf8'));
  const backend = path.join(root, '../backend');
  const stdout = execFileSync(
    'uv',
    ['run', '--project', backend, '--directory', backend, 'python', '-m', 'app.openapi'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(stdout);
}

async function generate(schema, outputPath) {
  await createClient({
    input: schema,
    // No entry file: it would be a barrel, and we import from sdk.gen / types.gen directly.
    output: { path: outputPath, entryFile: false },
    // throwOnError: SDK calls reject with our ApiError (see src/lib/api-client.ts) instead of
    // resolving to { error }, which is what TanStack Query expects.
    plugins: [
      { name: '@hey-api/client-fetch', throwOnError: true },
      '@hey-api/typescript',
      '@hey-api/sdk',
      // 'form': without descriptions, as the forms import these into the bundle.
      { name: '@hey-api/schemas', type: 'form' },
    ],
    logs: { level: 'silent' },
  });
  writeFileSync(path.join(outputPath, 'openapi.json'), `${JSON.stringify(schema, null, 2)}\n`);
}

/** Relative paths of every file under dir, sorted. */
function listFiles(dir, prefix = '') {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      const relative = path.join(prefix, name);
      return statSync(full).isDirectory() ? listFiles(full, relative) : [relative];
    });
}

/** Names of the files that differ between two trees (added, removed or changed). */
function differences(expectedDir, actualDir) {
  const expected = listFiles(expectedDir);
  const actual = listFiles(actualDir);
  const names = [...new Set([...expected, ...actual])].sort();
  return names.filter((name) => {
    if (!expected.includes(name) || !actual.includes(name)) return true;
    return (
      readFileSync(path.join(expectedDir, name), 'utf8') !==
      readFileSync(path.join(actualDir, name), 'utf8')
    );
  });
}

const schema = readSchema();
if (process.argv.includes('--check')) {
  const fresh = mkdtempSync(path.join(tmpdir(), 'api-client-'));
  try {
    await generate(schema, fresh);
    const stale = statSync(committed, { throwIfNoEntry: false })
      ? differences(fresh, committed)
      : ['src/lib/api/ (missing)'];
    if (stale.length > 0) {
      console.error(`The generated API client is stale: ${stale.join(', ')}`);
      console.error('Run `npm run generate` (or `make openapi`) and commit src/lib/api/.');
      process.exit(1);
    }
    console.log('The generated API client matches the backend schema.');
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
} else {
  await generate(schema, committed);
  console.log(`Generated ${path.relative(root, committed)}/ from the backend schema.`);
}
