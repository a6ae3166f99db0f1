// The new user's journey through HIP Porter in the real VS Code workbench (code-server + headless
// Debian Chromium, driven only by keyboard, mouse and DOM like a person would), on a scratch copy
// of samples/nbody-lab with the packaged VSIX installed. Six steps, each with a screenshot and a
// pass/fail in the summary:
//   1 diagnostics  open rng.cu: squiggles, Problems lists HIP Porter findings (HPnnn codes, renames
//                  are hints, not listed); reduce.cu:
//                  its wavefront hazards lead its Problems rows (screenshot 1a-problems-hazards-first.png)
//   2 hover-fix    hover curandState (HIP name shown), Ctrl+. quick-fix, text changed, saved
//   3 port-rules   "Port File to HIP" without a key: panel "Rules only" + findings notice, diff opens
//   4 port-agent   loopback model as hipPorter.agent.baseURL + dummy key (input box): streamed text
//                  and tool call in the panel, the agent's edit in the diff
//   5 review       Accept All, Reject the include hunk, Write: rng.hip on disk = accepted hunks;
//                  Ctrl+Z reverts the write, Ctrl+Shift+Z brings it back
//   6 build        "Build with hipcc" (Debian hipcc): rng.o written; a broken line: its error in Problems
// Used by scripts/demo-vscode.mjs --smoke.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { palette, quickOpen } from '../../../scripts/e2e/code-server.mjs';

/** Dummy API key typed into the key input box; the loopback model accepts only this one. */
export const JOURNEY_KEY = 'sk-ant-journey-smoke-not-a-real-key';
/** The file the journey ports. rng.cu compiles with Debian hipcc once ported (its headers are ported first). */
export const JOURNEY_FILE = 'rng.cu';
/** A file of the sample with wavefront hazards (HP201, HP202, HP204): step 1 checks they lead its Problems rows. */
const HAZARD_FILE = 'reduce.cu';
/** The line the scripted agent edits (the first line of rng.cu, unchanged by the rules). */
const AGENT_SEARCH = '// nbody-lab: initial conditions.';
const AGENT_REPLACE = '// nbody-lab: initial conditions (HIP port: cuRAND host and device API mapped to hipRAND).';
const AGENT_TEXT = 'Reviewing rng.hip: every cuRAND call has a hipRAND equivalent, and the Philox and Sobol generators exist in hipRAND. Naming the port in the header comment.';
/** A line that does not compile: hipcc reports "use of undeclared identifier 'hip_porter_undeclared'". */
const BROKEN_LINE = 'static int hip_porter_broken = hip_porter_undeclared;';

/** Bounded poll of a condition outside the browser (files on disk). */
async function until(cond, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    // Poll interval of the condition, not a wait for a result.
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Reads a file, or undefined when it does not exist. */
function readOrUndefined(file) {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/** Moves the cursor of the active editor to a 1-based line and column with Ctrl+G. */
async function goTo(page, line, column) {
  await page.keyboard.press('Control+G');
  const qi = page.locator('.quick-input-widget .quick-input-box input');
  await qi.waitFor({ state: 'visible', timeout: 10_000 });
  await qi.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await qi.waitFor({ state: 'hidden', timeout: 10_000 });
}

/** Makes sure the Problems panel is visible (Ctrl+Shift+M toggles it, so check first). */
async function showProblems(page) {
  const panel = page.locator('.markers-panel');
  if (!(await panel.isVisible())) await palette(page, 'View: Focus Problems');
  await panel.waitFor({ state: 'visible', timeout: 10_000 });
  return panel;
}

/** Clicks into the text of the active editor (focus for keyboard commands like Ctrl+Z). */
async function focusActiveEditor(page) {
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click({ position: { x: 300, y: 10 } });
}

/**
 * Makes sure the HIP Porter side panel shows. A port reveals it itself, so first wait (bounded)
 * for that; only if it still does not show, click its activity bar icon. Clicking while the
 * reveal is still under way would toggle the side bar closed again.
 */
async function openAgentPanel(page) {
  const frame = page.locator('iframe.webview.ready').first();
  const shown = await frame.waitFor({ state: 'visible', timeout: 5000 }).then(
    () => true,
    () => false,
  );
  if (shown) return;
  await page.locator('.part.activitybar .action-item a.action-label[aria-label^="HIP Porter"]').first().click();
  await frame.waitFor({ state: 'visible', timeout: 15_000 });
}

/**
 * @typedef {object} StepResult
 * @property {number} step 1-based step number
 * @property {string} name short id
 * @property {string} title what the step shows
 * @property {boolean} ok
 * @property {number} ms wall-clock time in milliseconds
 * @property {string} [screenshot] path relative to the results folder
 * @property {string[]} checks what was asserted (human-readable)
 * @property {string} [error] first line of the failure
 */

/**
 * Runs the six steps in order; after a failed step the rest are recorded as not run.
 * @param {object} o
 * @param {import('playwright-core').Page} o.page workbench page, already showing the workspace
 * @param {string} o.workspace absolute path of the scratch copy of the sample
 * @param {string} o.settingsFile the user settings.json of this code-server instance
 * @param {string} o.shots folder for screenshots
 * @param {string} o.cli absolute path of dist/cli.js (the same engine, for the expected proposal)
 * @param {Awaited<ReturnType<typeof import('./load.mjs').loadJourneyHelpers>>} o.helpers
 * @param {(msg: string) => void} [o.log]
 * @returns {Promise<StepResult[]>}
 */
export async function runJourney(o) {
  const { page, workspace, shots, helpers } = o;
  const log = o.log ?? ((m) => console.log(m));
  const src = join(workspace, JOURNEY_FILE);
  const target = join(workspace, JOURNEY_FILE.replace(/\.cu$/, '.hip'));
  const object = join(workspace, JOURNEY_FILE.replace(/\.cu$/, '.o'));
  const panel = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  /** @type {import('playwright-core').Locator} */
  const problems = page.locator('.markers-panel');
  /** @type {StepResult[]} */
  const results = [];
  /** State passed between steps. */
  const st = { original: '', proposal: '', expected: '', model: /** @type {any} */ (undefined) };

  const steps = [
    {
      name: 'diagnostics',
      title: 'open a .cu file: squiggles and HIP Porter findings in Problems, hazards first',
      run: async (checks, shot) => {
        await quickOpen(page, JOURNEY_FILE);
        await page.locator('.editor-instance .monaco-editor .view-lines', { hasText: 'setup_rng_kernel' }).first().waitFor({ timeout: 15_000 });
        const squiggles = page.locator('.editor-instance .monaco-editor [class*="squiggly-"]');
        await squiggles.first().waitFor({ state: 'attached', timeout: 30_000 });
        checks.push(`${await squiggles.count()} squiggle decorations in the visible part of ${JOURNEY_FILE}`);
        await showProblems(page);
        const rows = problems.locator('.monaco-list-row', { hasText: /HP\d{3}/ });
        await rows.first().waitFor({ state: 'visible', timeout: 30_000 });
        const texts = await rows.allInnerTexts();
        // renames are hints (issue 16): not Problems rows; rng.cu has only its HP112 note there
        if (texts.some((t) => /HP101/.test(t))) throw new Error('a rename (HP101) is listed in Problems');
        checks.push(`${texts.length} visible Problems rows with HP codes for ${JOURNEY_FILE}, no rename among them, e.g. "${texts[0].replace(/\s+/g, ' ').slice(0, 90)}"`);
        // A file with wavefront hazards: in Problems its hazards (warnings) come before anything
        // else; screenshot test-results/smoke/1a-problems-hazards-first.png (issue 16).
        await quickOpen(page, HAZARD_FILE);
        const tab = (await page.locator('.tabs-container .tab.active').first().innerText()).trim();
        if (!tab.startsWith(HAZARD_FILE) || tab.startsWith(`${HAZARD_FILE}h`)) throw new Error(`Quick Open opened "${tab}", not ${HAZARD_FILE}`);
        await showProblems(page);
        const filter = page.getByPlaceholder(/^Filter \(e\.g\./).first();
        await filter.fill(`**/${HAZARD_FILE}`);
        const hazardRows = problems.locator('.monaco-list-row', { hasText: /HP\d{3}/ });
        // the filter applies asynchronously: wait for reduce.cu's group (its file row), then read its rows
        await problems.locator('.monaco-list-row', { hasText: HAZARD_FILE }).first().waitFor({ state: 'visible', timeout: 30_000 });
        await problems.locator('.monaco-list-row', { hasText: 'rng.cu' }).first().waitFor({ state: 'detached', timeout: 30_000 });
        await hazardRows.first().waitFor({ state: 'visible', timeout: 30_000 });
        const first = hazardRows.first();
        const firstText = (await first.innerText()).replace(/\s+/g, ' ').trim();
        if (!/HP2\d\d/.test(firstText)) throw new Error(`first Problems row of ${HAZARD_FILE} is not a wavefront hazard: "${firstText.slice(0, 120)}"`);
        if (!(await first.locator('.codicon-warning, .codicon-error').count())) throw new Error(`first Problems row of ${HAZARD_FILE} is not a warning or error: "${firstText.slice(0, 120)}"`);
        const all = (await hazardRows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' '));
        const firstRename = all.findIndex((t) => /HP101|HP110/.test(t));
        const lastWarp = all.map((t) => /HP20\d/.test(t)).lastIndexOf(true);
        if (firstRename >= 0 && firstRename < lastWarp) throw new Error(`a rename (row ${firstRename + 1}) is listed before a hazard (row ${lastWarp + 1})`);
        checks.push(`${HAZARD_FILE}: ${all.length} visible Problems rows, the first a hazard: "${firstText.slice(0, 100)}"`);
        await shot('1a-problems-hazards-first');
        await filter.fill('');
      },
    },
    {
      name: 'hover-quickfix',
      title: 'hover a CUDA name, apply a quick-fix',
      run: async (checks, shot) => {
        await page.locator('.tabs-container .tab', { hasText: JOURNEY_FILE }).first().click();
        // Line 21: __global__ void setup_rng_kernel(curandState* __restrict__ states, ...)
        await goTo(page, 21, 36);
        await page.keyboard.press('Control+K');
        await page.keyboard.press('Control+I');
        // The language server's part (status, versions table), not only the diagnostic's line.
        const hover = page.locator('.monaco-hover:visible', { hasText: 'available in target ROCm' }).filter({ hasText: 'hiprandState' });
        await hover.first().waitFor({ state: 'visible', timeout: 15_000 });
        checks.push(`hover shows: "${(await hover.first().innerText()).replace(/\s+/g, ' ').slice(0, 100)}"`);
        await shot('2a-hover');
        await page.keyboard.press('Escape');
        await page.keyboard.press('Control+.');
        const action = page.locator('.action-widget .monaco-list-row', { hasText: 'hiprandState' }).filter({ hasNotText: /fix all/i });
        await action.first().waitFor({ state: 'visible', timeout: 15_000 });
        const label = (await action.first().innerText()).trim();
        checks.push(`quick-fix offered: "${label}"`);
        // Choose it with the keyboard, like a user: move the focus to it, then Enter.
        const focused = page.locator('.action-widget .monaco-list-row.focused');
        for (let i = 0; i < 10 && (await focused.innerText().catch(() => '')).trim() !== label; i++) await page.keyboard.press('ArrowDown');
        if ((await focused.innerText()).trim() !== label) throw new Error(`could not focus the quick-fix "${label}"`);
        await shot('2b-quickfix');
        await page.keyboard.press('Enter');
        await page.locator('.editor-instance .monaco-editor .view-lines', { hasText: 'setup_rng_kernel(hiprandState*' }).first().waitFor({ timeout: 10_000 });
        await page.keyboard.press('Control+S');
        await until(() => readFileSync(src, 'utf8').includes('setup_rng_kernel(hiprandState* __restrict__ states'), `${JOURNEY_FILE} saved with the fix`);
        checks.push('line 21 now reads setup_rng_kernel(hiprandState* ...) in the editor and on disk');
      },
    },
    {
      name: 'port-rules',
      title: 'Port File to HIP without an API key: deterministic result, findings, diff',
      run: async (checks) => {
        await page.locator('.tabs-container .tab', { hasText: JOURNEY_FILE }).first().click();
        await palette(page, 'HIP Porter: Port File to HIP');
        const diffTab = page.locator('.tabs-container .tab', { hasText: 'HIP Porter proposal' });
        await diffTab.first().waitFor({ timeout: 30_000 });
        // The run reveals the panel; open it from its activity bar icon if it is not showing.
        await openAgentPanel(page);
        await panel.locator('#run-status', { hasText: 'Rules only' }).waitFor({ timeout: 30_000 });
        const notice = panel.locator('.item.notice', { hasText: 'No Anthropic API key is set' });
        await notice.waitFor({ timeout: 10_000 });
        checks.push(`panel: "Rules only", "${(await notice.innerText()).trim()}"`);
        await page.locator('.monaco-diff-editor').first().waitFor({ state: 'visible', timeout: 15_000 });
        checks.push(`diff editor tab: "${(await diffTab.first().innerText()).trim()}"`);
        const rows = panel.locator('li.hunk');
        await rows.first().waitFor({ timeout: 10_000 });
        checks.push(`${await rows.count()} proposed changes listed in the panel`);
      },
    },
    {
      name: 'port-agent',
      title: 'with the loopback model and a dummy key: streamed agent run, its edit in the diff',
      run: async (checks, shot) => {
        st.original = readFileSync(src, 'utf8');
        st.model = await helpers.startJourneyModel(JOURNEY_KEY, {
          text: AGENT_TEXT,
          search: AGENT_SEARCH,
          replace: AGENT_REPLACE,
          reason: 'Name the HIP port in the header comment.',
          summary: 'Header comment updated; the cuRAND to hipRAND renames were all done by the rules.',
        }, 2);
        // User settings, edited like a user: Preferences: Open User Settings (JSON), add the line, save.
        await palette(page, 'Preferences: Open User Settings (JSON)');
        await page.locator('.tabs-container .tab.active', { hasText: 'settings.json' }).waitFor({ timeout: 15_000 });
        await page.locator('.editor-instance .monaco-editor .view-lines', { hasText: 'workbench.colorTheme' }).first().waitFor({ timeout: 15_000 });
        await focusActiveEditor(page);
        await page.keyboard.press('Control+Home');
        await page.keyboard.press('End');
        await page.keyboard.press('Enter');
        // insertText: one input event, so the editor does not auto-close the quotes.
        await page.keyboard.insertText(`"hipPorter.agent.baseURL": "${st.model.url}",`);
        await page.keyboard.press('Control+S');
        await until(() => {
          try {
            return JSON.parse(readFileSync(o.settingsFile, 'utf8'))['hipPorter.agent.baseURL'] === st.model.url;
          } catch {
            return false;
          }
        }, 'settings.json saved with hipPorter.agent.baseURL');
        checks.push(`user settings (settings.json editor): "hipPorter.agent.baseURL": "${st.model.url}"`);
        await shot('4a-settings');
        await page.keyboard.press('Control+W');
        // The key through the palette and its password input box.
        await palette(page, 'HIP Porter: Set Anthropic API Key');
        const keyBox = page.locator('.quick-input-widget .quick-input-box input[type="password"]');
        await keyBox.waitFor({ state: 'visible', timeout: 15_000 });
        await keyBox.fill(JOURNEY_KEY);
        await page.keyboard.press('Enter');
        await page.locator('.notifications-toasts', { hasText: 'API key saved' }).waitFor({ timeout: 10_000 });
        checks.push('API key stored through the input box (SecretStorage)');
        await palette(page, 'Notifications: Clear All Notifications');
        await page.locator('.notifications-toasts', { hasText: 'API key saved' }).waitFor({ state: 'hidden', timeout: 10_000 });
        await page.locator('.tabs-container .tab', { hasText: JOURNEY_FILE }).first().click();
        await palette(page, 'HIP Porter: Port File to HIP');
        await panel.locator('#run-status', { hasText: 'Complete' }).waitFor({ timeout: 60_000 });
        await panel.locator('.item.text', { hasText: 'every cuRAND call has a hipRAND equivalent' }).waitFor({ timeout: 10_000 });
        const tool = panel.locator('.item.tool[data-tool="edit_proposal"]');
        await tool.waitFor({ timeout: 10_000 });
        if (!/\bok\b/.test(await tool.innerText())) throw new Error('the edit_proposal call is not marked ok');
        const usage = (await panel.locator('#usage').innerText()).trim();
        checks.push(`panel: Complete, streamed text, edit_proposal ok, "${usage}"`);
        if (st.model.requests.length !== 2) throw new Error(`the loopback model saw ${st.model.requests.length} request(s), expected 2`);
        if (st.model.problems.length) throw new Error(`invalid requests: ${st.model.problems.join('; ')}`);
        checks.push('the loopback model received 2 valid Messages API requests');
        await page.locator('.tabs-container .tab', { hasText: 'rules + agent' }).first().waitFor({ timeout: 15_000 });
        await page.locator('.monaco-diff-editor .editor.modified .view-lines', { hasText: 'HIP port: cuRAND host and device API mapped to hipRAND' }).first().waitFor({ timeout: 15_000 });
        checks.push('diff (rules + agent): the modified side shows the agent\'s header line');
        const det = execFileSync(process.execPath, [o.cli, 'port', '--stdout', src], { encoding: 'utf8' });
        if (!det.includes(AGENT_SEARCH)) throw new Error('the deterministic proposal lacks the line the agent edits');
        st.proposal = det.replace(AGENT_SEARCH, AGENT_REPLACE);
      },
    },
    {
      name: 'review-write-undo',
      title: 'accept hunks, reject one, write; undo restores',
      run: async (checks, shot) => {
        const hunks = helpers.computeHunks(st.original, st.proposal);
        const rows = panel.locator('li.hunk');
        await rows.first().waitFor({ timeout: 10_000 });
        if ((await rows.count()) !== hunks.length) throw new Error(`panel lists ${await rows.count()} hunks, the proposal has ${hunks.length}`);
        const inc = hunks.find((h) => h.added.some((l) => l.includes('#include <hip/hip_runtime.h>')));
        if (!inc) throw new Error('no hunk adds #include <hip/hip_runtime.h>');
        await panel.locator('button[data-key="accept-all"]').click();
        await panel.locator('h2', { hasText: `${hunks.length} accepted` }).waitFor({ timeout: 10_000 });
        // The include is redundant here (the ported rng.cuh brings hip_runtime.h in): reject that one.
        await panel.locator(`button[data-key="reject:${inc.id}"]`).click();
        await panel.locator('h2', { hasText: `${hunks.length - 1} accepted, 1 rejected, 0 undecided` }).waitFor({ timeout: 10_000 });
        checks.push(`Accept All, then Reject on "${(await panel.locator(`li.hunk[data-hunk="${inc.id}"] .hunk-label`).innerText()).trim()}": ${hunks.length - 1} accepted, 1 rejected`);
        await shot('5a-decided');
        st.expected = helpers.applySelection(st.original, hunks, new Set(hunks.filter((h) => h.id !== inc.id).map((h) => h.id)));
        if (existsSync(target)) throw new Error(`${target} exists before Write`);
        await panel.locator('button[data-key="write"]').click();
        await until(() => readOrUndefined(target) === st.expected, 'rng.hip on disk with exactly the accepted hunks');
        if (!st.expected.includes(AGENT_REPLACE) || st.expected.includes('#include <hip/hip_runtime.h>')) throw new Error('expected text does not reflect the decisions');
        checks.push(`rng.hip written: ${st.expected.split('\n').length} lines, the agent's line in, the rejected include out`);
        await page.locator('.tabs-container .tab.active', { hasText: 'rng.hip' }).waitFor({ timeout: 10_000 });
        await shot('5b-written');
        // One undo in the target editor reverts the whole write: the file did not exist before, so it goes away.
        await focusActiveEditor(page);
        await page.keyboard.press('Control+Z');
        await until(() => !existsSync(target), 'rng.hip removed by the undo', 10_000);
        await page.locator('.tabs-container .tab', { hasText: 'rng.hip' }).waitFor({ state: 'detached', timeout: 10_000 });
        checks.push('Ctrl+Z in rng.hip: the write is undone (rng.hip did not exist before; it is gone from disk and its editor closed)');
        await shot('5c-undone');
        // Port again (the loopback model answers the same way) and write the same decisions.
        await page.locator('.tabs-container .tab', { hasText: JOURNEY_FILE }).first().click();
        await palette(page, 'HIP Porter: Port File to HIP');
        await page.locator('.tabs-container .tab', { hasText: 'rules + agent' }).first().waitFor({ timeout: 30_000 });
        await panel.locator('#run-status', { hasText: 'Complete' }).waitFor({ timeout: 30_000 });
        await panel.locator('button[data-key="accept-all"]').click();
        await panel.locator(`button[data-key="reject:${inc.id}"]`).click();
        await panel.locator('h2', { hasText: `${hunks.length - 1} accepted, 1 rejected, 0 undecided` }).waitFor({ timeout: 10_000 });
        await panel.locator('button[data-key="write"]').click();
        await until(() => readOrUndefined(target) === st.expected, 'rng.hip written again');
        checks.push('ported and written again with the same decisions: rng.hip on disk as before the undo');
      },
    },
    {
      name: 'build',
      title: 'hipcc builds the .hip; a broken line shows up in Problems',
      run: async (checks, shot) => {
        rmSync(object, { force: true });
        await page.locator('.tabs-container .tab', { hasText: 'rng.hip' }).first().click();
        const t0 = Date.now();
        await palette(page, 'HIP Porter: Build with hipcc');
        const term = page.locator('.terminal-wrapper .xterm-rows');
        await term.filter({ hasText: /hipcc exited with 0/ }).first().waitFor({ timeout: 120_000 });
        await until(() => existsSync(object) && statSync(object).size > 0, 'rng.o written by hipcc');
        const line = (await term.filter({ hasText: /hipcc exited with 0/ }).first().innerText()).split('\n').find((l) => l.includes('hipcc exited')) ?? '';
        checks.push(`terminal: "${line.trim()}"; rng.o ${statSync(object).size} bytes (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
        await shot('6a-built');
        // A deliberately broken line at the end of the file, then build again.
        await focusActiveEditor(page);
        await page.keyboard.press('Control+End');
        await page.keyboard.press('Enter');
        await page.keyboard.type(BROKEN_LINE);
        await page.keyboard.press('Control+S');
        await until(() => readFileSync(target, 'utf8').includes(BROKEN_LINE), 'the broken line saved');
        await palette(page, 'HIP Porter: Build with hipcc');
        await term.filter({ hasText: /hipcc exited with [1-9]/ }).first().waitFor({ timeout: 120_000 });
        await showProblems(page);
        // step 1 left reduce.cu's rows above (a virtualised list): filter to the compiler's message
        await page.getByPlaceholder(/^Filter \(e\.g\./).first().fill('hip_porter_undeclared');
        const err = problems.locator('.monaco-list-row', { hasText: "use of undeclared identifier 'hip_porter_undeclared'" });
        await err.first().waitFor({ state: 'visible', timeout: 20_000 });
        checks.push(`Problems: "${(await err.first().innerText()).replace(/\s+/g, ' ').trim()}"`);
      },
    },
  ];

  for (const [i, s] of steps.entries()) {
    const n = i + 1;
    /** @type {StepResult} */
    const r = { step: n, name: s.name, title: s.title, ok: false, ms: 0, checks: [] };
    results.push(r);
    if (results.some((x) => x !== r && !x.ok)) {
      r.error = 'not run (an earlier step failed)';
      continue;
    }
    const shot = async (suffix) => {
      await page.screenshot({ path: join(shots, `${suffix}.png`) });
    };
    const t0 = Date.now();
    try {
      await s.run(r.checks, shot);
      r.ok = true;
    } catch (e) {
      r.error = (e instanceof Error ? e.message : String(e)).split('\n')[0];
    }
    r.ms = Date.now() - t0;
    const file = `${n}-${s.name}${r.ok ? '' : '-FAILED'}.png`;
    await page.screenshot({ path: join(shots, file) }).catch(() => {});
    r.screenshot = file;
    log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${n}. ${s.title} (${(r.ms / 1000).toFixed(1)} s)`);
    for (const c of r.checks) log(`         ${c}`);
    if (r.error) log(`         error: ${r.error}`);
  }
  if (st.model) await st.model.close();
  return results;
}
