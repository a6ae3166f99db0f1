// The smoke journey as part of `npm test` (scripts/run-tests.mjs runs this file with node --test):
// runs `node scripts/demo-vscode.mjs --smoke` (package the VSIX, install it into code-server, drive
// the six steps in headless Chromium) and checks its exit code, summary.json and screenshots
// (including 1a-problems-hazards-first.png: the Problems panel with hazards first).
// Run: node --test test/e2e/smoke.test.mjs   (about 45 s on 2 cores once code-server is installed)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const results = join(repoRoot, 'test-results', 'smoke');
/** Bound on the whole journey (packaging, install, code-server, six steps). */
const LIMIT_MS = 300_000;

test('smoke journey: packaged VSIX in code-server, six steps pass', { timeout: LIMIT_MS + 30_000 }, async () => {
  const child = spawn(process.execPath, [join(repoRoot, 'scripts', 'demo-vscode.mjs'), '--smoke'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const timer = setTimeout(() => child.kill('SIGTERM'), LIMIT_MS);
  const code = await new Promise((resolve) => child.on('exit', (c, s) => resolve(c ?? s)));
  clearTimeout(timer);
  process.stdout.write(out.split('\n').map((l) => `# ${l}`).join('\n') + '\n');
  assert.equal(code, 0, `demo-vscode --smoke exited with ${code}`);
  const summary = JSON.parse(readFileSync(join(results, 'summary.json'), 'utf8'));
  assert.equal(summary.ok, true);
  assert.deepEqual(summary.steps.map((s) => s.name), ['diagnostics', 'hover-quickfix', 'port-rules', 'port-agent', 'review-write-undo', 'build']);
  for (const s of summary.steps) {
    assert.equal(s.ok, true, `step ${s.step} ${s.name}: ${s.error ?? ''}`);
    assert.ok(s.checks.length > 0, `step ${s.step} recorded its checks`);
    assert.ok(existsSync(join(results, s.screenshot)), `screenshot ${s.screenshot}`);
  }
  assert.ok(existsSync(join(results, '1a-problems-hazards-first.png')), 'screenshot of the Problems panel with hazards first');
  assert.ok(summary.vsix.bytes < 10 * 1024 * 1024, 'VSIX under 10 MB');
  assert.ok(summary.totalMs < LIMIT_MS, `journey took ${summary.totalMs} ms`);
});
