// `npm test` runs exactly the package's test files (test/*.test.mjs, test/*.test.cjs) and
// no fixture (the bundler entry, the storefront page script), and ci.sh runs `npm test`
// itself, so that the two cannot drift.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pkgRoot } from './helpers.mjs';

const pkg = JSON.parse(readFileSync(join(pkgRoot, 'package.json'), 'utf8'));

/** Every file under `dir`, relative to the package, with `/` separators. */
function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    return d.isDirectory() ? walk(p) : [relative(pkgRoot, p).split('\\').join('/')];
  });
}

/** The files a `dir/*suffix` pattern names (the only glob form the script uses). */
function expand(pattern) {
  const m = /^([\w/.-]+)\/\*([\w.-]+)$/.exec(pattern);
  assert.ok(m, `unexpected pattern ${pattern}`);
  const [, dir, suffix] = m;
  return readdirSync(join(pkgRoot, dir)).filter((f) => f.endsWith(suffix)).map((f) => `${dir}/${f}`);
}

test('the test script runs every *.test.mjs and *.test.cjs file under test/ and nothing else', () => {
  const [cmd, flag, ...patterns] = pkg.scripts.test.split(/\s+/);
  assert.deepEqual([cmd, flag], ['node', '--test'], pkg.scripts.test);
  assert.ok(patterns.length > 0 && patterns.every((p) => !p.startsWith('-')), pkg.scripts.test);
  const run = [...new Set(patterns.flatMap(expand))].sort();
  const all = walk(join(pkgRoot, 'test'));
  const tests = all.filter((f) => /\.test\.[cm]js$/.test(f)).sort();
  assert.deepEqual(run, tests);
  assert.ok(run.includes('test/package.test.mjs') && run.includes('test/cjs.test.cjs'), run.join(' '));
  // The fixtures are scripts too, and must not run as tests.
  for (const fixture of ['test/bundler/entry.js', 'test/storefront/storefront.js']) {
    assert.ok(all.includes(fixture), `${fixture} exists`);
    assert.ok(!run.includes(fixture), `${fixture} is not run`);
  }
});

test('ci.sh runs the tests through `npm test`', () => {
  const ci = readFileSync(join(pkgRoot, 'ci.sh'), 'utf8');
  assert.match(ci, /^npm test\b/m);
  assert.doesNotMatch(ci, /^\s*node --test\b/m, 'no second copy of the test command');
});
