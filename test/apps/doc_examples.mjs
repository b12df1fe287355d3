// Runs every example of docs/apps.md against the PostgREST stand-in, so that
// the guide cannot rot (test/shell/apps_contract.sh):
//   node test/apps/doc_examples.mjs http://127.0.0.1:PORT docs/apps.md
// ```js blocks run as the body of an async function given API (the root
// URL), PostgrestClient and assert; ```sh blocks run in bash with $API set,
// under `set -euo pipefail`.  A block passes when it neither throws nor
// exits non-zero.  The fixture is test/apps/fixture.sql.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PostgrestClient } from '@supabase/postgrest-js';

const [api, file] = process.argv.slice(2);
const text = readFileSync(file, 'utf8');
const AsyncFunction = (async () => {}).constructor;
const blocks = [...text.matchAll(/^```(js|sh)\n([\s\S]*?)^```$/gm)];
let failed = 0;
let n = 0;
for (const [, lang, code] of blocks) {
  n++;
  const line = text.slice(0, text.indexOf(code)).split('\n').length;
  const name = `docs/apps.md example ${n} (${lang}, line ${line})`;
  try {
    if (lang === 'js') {
      await new AsyncFunction('API', 'PostgrestClient', 'assert', code)(api, PostgrestClient, assert);
    } else {
      execFileSync('bash', ['-c', 'set -euo pipefail\n' + code], {
        env: { ...process.env, API: api }, stdio: ['ignore', 'pipe', 'pipe'] });
    }
    console.log(`ok - ${name}`);
  } catch (e) {
    failed++;
    console.log(`not ok - ${name}`);
    console.log(`#   ${String(e.stderr || e.message || e).split('\n').slice(0, 6).join('\n#   ')}`);
  }
}
if (n < 10) {
  failed++;
  console.log(`not ok - docs/apps.md has runnable examples (found ${n})`);
}
process.exit(failed ? 1 : 0);
