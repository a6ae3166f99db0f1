/**
 * What the porting agent may read (issue 18 item 8): the sensitive-file list, `..foo` as a name
 * inside the workspace, and the project root of an input (folder of the build file, else the
 * input's folder, never the home folder or above).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSensitivePath, resolveWorkspacePath } from '../../src/agent/tools';
import { projectRootOf } from '../../src/core/files';

test('credential files are sensitive; ordinary sources are not', () => {
  for (const p of [
    '.git-credentials', '.npmrc', 'sub/.netrc', '.pypirc', '.docker/config.json', '.kube/config', '.config/gcloud/credentials.db',
    '.config/gh/hosts.yml', '.azure/accessTokens.json', 'certs/server.pem', 'id_ed25519', 'id_rsa.pub', '.ssh/known_hosts', '.env.local',
    'deploy/credentials.json', 'service-account-prod.json', '.aws/credentials', '.gnupg/pubring.kbx', 'ID_RSA',
  ]) assert.equal(isSensitivePath(p), true, p);
  for (const p of ['src/kernel.cu', 'include/identity.h', 'docs/keys.md', 'id.h', 'config.json', '..foo', 'env.h', 'npmrc.txt']) {
    assert.equal(isSensitivePath(p), false, p);
  }
});

test('a file named ..foo is inside the workspace; ../foo is not', async () => {
  const ws = mkdtempSync(join(tmpdir(), 'hp-reach-'));
  writeFileSync(join(ws, '..foo'), 'x');
  const r = await resolveWorkspacePath(ws, '..foo');
  assert.ok(r.ok && r.relative === '..foo', JSON.stringify(r));
  const up = await resolveWorkspacePath(ws, '../foo');
  assert.equal(up.ok, false);
});

test('projectRootOf: the folder of the nearest build file, else the file\'s folder, never the home folder', () => {
  const home = mkdtempSync(join(tmpdir(), 'hp-home-'));
  mkdirSync(join(home, 'proj', 'src', 'deep'), { recursive: true });
  writeFileSync(join(home, 'proj', 'CMakeLists.txt'), '');
  assert.equal(projectRootOf(join(home, 'proj', 'src', 'deep', 'k.cu'), home), join(home, 'proj'));
  mkdirSync(join(home, 'loose'));
  assert.equal(projectRootOf(join(home, 'loose', 'k.cu'), home), join(home, 'loose'));
  writeFileSync(join(home, 'Makefile'), '');
  assert.equal(projectRootOf(join(home, 'loose', 'k.cu'), home), join(home, 'loose'), 'a Makefile in $HOME does not make $HOME the workspace');
  assert.equal(projectRootOf(join(home, 'k.cu'), home), home, 'a file right in $HOME: its own folder');
});
