/**
 * The language server as a real process, on the ways it could hang or outlive its client
 * (issue 18 item 5): `hipPorter/portDocument` for `/dev/zero` or a FIFO is refused at once (it read
 * forever), and the server exits when its client process is gone or its stdin closes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CAPABILITIES, LspClient } from './lsp-client';

/** Resolves with the exit code, or rejects after `ms`. */
function exitWithin(c: LspClient, ms: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (c.proc.exitCode !== null) return resolve(c.proc.exitCode);
    const t = setTimeout(() => reject(new Error(`server still running after ${ms} ms`)), ms);
    c.proc.once('exit', (code) => (clearTimeout(t), resolve(code)));
  });
}

describe('server: only regular files are read; it stops when its client is gone', () => {
  it('portDocument of /dev/zero and of a FIFO is refused at once; the server keeps answering', async () => {
    const c = LspClient.spawn();
    try {
      await c.initialize();
      const t0 = performance.now();
      await assert.rejects(c.conn.sendRequest('hipPorter/portDocument', { uri: 'file:///dev/zero' }), /not a regular file \(a character device\)/);
      const fifo = join(mkdtempSync(join(tmpdir(), 'hp-fifo-')), 'k.cu');
      execFileSync('mkfifo', [fifo]);
      await assert.rejects(c.conn.sendRequest('hipPorter/portDocument', { uri: pathToFileURL(fifo).href }), /not a regular file \(a FIFO\)/);
      assert.ok(performance.now() - t0 < 5000);
      const uri = 'file:///w/k.cu';
      await c.open(uri, '__global__ void k() {}\nvoid f() { cudaDeviceSynchronize(); }\n');
      const r = await c.conn.sendRequest<{ text: string }>('hipPorter/portDocument', { uri });
      assert.match(r.text, /hipDeviceSynchronize/);
    } finally {
      await c.stop();
    }
  });

  it('exits when the client process named in initialize dies', async () => {
    const client = spawn('sleep', ['600'], { stdio: 'ignore' });
    const c = LspClient.spawn();
    await c.conn.sendRequest('initialize', { processId: client.pid, rootUri: null, capabilities: CAPABILITIES, workspaceFolders: null });
    client.kill('SIGKILL');
    const code = await exitWithin(c, 15000);
    assert.notEqual(code, null);
    c.conn.dispose();
  });

  it('exits when its stdin closes', async () => {
    const c = LspClient.spawn();
    await c.initialize();
    c.proc.stdin!.end();
    await exitWithin(c, 15000);
    c.conn.dispose();
  });
});
