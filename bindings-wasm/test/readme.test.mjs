// The README's `js` examples, executed in order as one module (inside the package
// folder, so `import ... from 'docket-wasm'` resolves through the package's exports).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

test('every js example of README.md runs and its assertions hold', async () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length >= 5, `found ${blocks.length} js blocks`);
  const dir = new URL('../test-output/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL('readme-examples.mjs', dir);
  writeFileSync(file, blocks.join('\n'));
  await import(pathToFileURL(file.pathname).href);
});
