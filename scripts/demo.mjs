#!/usr/bin/env node
// `npm run demo`: HIP Porter's main job on the bundled sample project (samples/nbody-lab).
//   1. builds the bundles,
//   2. scans the sample (porting-readiness report),
//   3. ports it into demo-out/nbody-lab-hip/ (foo.cu -> foo.hip, headers keep their names),
//   4. compiles every ported file with the local hipcc (HIP_PLATFORM=amd, --offload-arch=gfx90a)
//      and shows which lines still need a human or the agent,
//   5. unless --no-vscode: packages the VSIX, installs it into code-server and opens the sample
//      there, printing the URL to open in a browser (Ctrl+C stops it).
// Options: --smoke (headless journey with screenshots, exits 0 only if every step passed),
//          --no-vscode (stop after step 4), --out DIR.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
const outRoot = outIdx >= 0 ? args[outIdx + 1] : join(root, 'demo-out');
const sample = join(root, 'samples', 'nbody-lab');
const ported = join(outRoot, 'nbody-lab-hip');

function step(title) {
  console.log(`\n=== ${title}`);
}
function run(cmd, argv, opts = {}) {
  return spawnSync(cmd, argv, { cwd: opts.cwd ?? root, encoding: 'utf8', stdio: opts.capture ? 'pipe' : 'inherit', env: { ...process.env, ...(opts.env ?? {}) } });
}

step('build');
if (run('node', ['scripts/build.mjs']).status !== 0) process.exit(1);

step(`scan ${relative(root, sample)}`);
run('node', ['dist/cli.js', 'scan', sample]);

step(`port -> ${relative(root, ported) || ported}`);
rmSync(ported, { recursive: true, force: true });
mkdirSync(outRoot, { recursive: true });
const hipVersion = run('hipcc', ['--version'], { capture: true, env: { HIP_PLATFORM: 'amd' } });
const m = /HIP version: (\d+\.\d+)/.exec(hipVersion.stdout ?? '');
const target = m ? m[1] : '6.2';
console.log(m ? `hipcc found: HIP ${target}; porting for that version` : 'hipcc not found: porting for ROCm 6.2 (install hipcc to compile)');
const port = run('node', ['dist/cli.js', 'port', sample, '--out', ported, '--target-rocm', target, '--stats']);
if (port.status !== 0) process.exit(port.status ?? 1);

if (m) {
  step('compile the deterministic port with hipcc (HIP_PLATFORM=amd, --offload-arch=gfx90a)');
  const files = readdirSync(ported).filter((f) => f.endsWith('.hip')).sort();
  let ok = 0;
  for (const f of files) {
    const r = run('hipcc', ['--offload-arch=gfx90a', '-std=c++17', '-c', f, '-o', join(outRoot, f.replace(/\.hip$/, '.o'))], {
      capture: true,
      cwd: ported,
      env: { HIP_PLATFORM: 'amd' },
    });
    const errors = `${r.stdout}${r.stderr}`.split('\n').filter((l) => /: (error|fatal error):/.test(l));
    if (r.status === 0) {
      ok++;
      console.log(`  ok    ${f}`);
    } else {
      console.log(`  FAIL  ${f}`);
      for (const e of errors.slice(0, 4)) console.log(`        ${e.replace(ported + '/', '')}`);
    }
  }
  console.log(`\n${ok}/${files.length} files compile after the deterministic pass; the rest need the agent or a human (see the findings above).`);
}

if (args.includes('--no-vscode')) process.exit(0);
const vscodeDemo = join(root, 'scripts', 'demo-vscode.mjs');
if (!existsSync(vscodeDemo)) {
  console.log('\n(the VS Code part of the demo is not built yet)');
  process.exit(0);
}
step('VS Code (code-server) with the packaged extension');
const r = run('node', [vscodeDemo, ...args]);
process.exit(r.status ?? 1);
