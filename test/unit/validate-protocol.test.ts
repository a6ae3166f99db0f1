/**
 * The validation report view's message guards (src/webview/validate-report/protocol.ts), and that a
 * core ValidationReport is what the view takes (checked by the type checker through `asView`).
 * Run: node --import tsx --test test/unit/validate-protocol.test.ts
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ValidationReport } from '../../src/core/validate';
import { isValidateCommand, isValidateNotification, VIEW_HISTOGRAM_MIN_EXP, type ViewReport } from '../../src/webview/validate-report/protocol';
import { HISTOGRAM_MIN_EXP } from '../../src/core/validate';

/** Compiles only while the core report stays assignable to the view's type. */
export function asView(r: ValidationReport): ViewReport {
  return r;
}

test('panel commands: valid ones pass, malformed ones fail', () => {
  assert.ok(isValidateCommand({ kind: 'command', method: 'validate/view/ready', params: {} }));
  assert.ok(isValidateCommand({ kind: 'command', method: 'validate/case/askAgent', params: { caseName: 'a' } }));
  assert.ok(isValidateCommand({ kind: 'command', method: 'validate/report/openMarkdown', params: {} }));
  assert.ok(!isValidateCommand({ kind: 'command', method: 'validate/case/askAgent', params: {} }), 'askAgent needs a case name');
  assert.ok(!isValidateCommand({ kind: 'command', method: 'validate/case/askAgent', params: { caseName: 3 } }));
  assert.ok(!isValidateCommand({ kind: 'command', method: 'validate/run/everything', params: {} }));
  assert.ok(!isValidateCommand({ kind: 'request', method: 'validate/view/ready', params: {} }));
  assert.ok(!isValidateCommand({ kind: 'command', method: 'validate/view/ready' }));
  assert.ok(!isValidateCommand(null));
  assert.ok(!isValidateCommand('validate/view/ready'));
});

test('host notifications: valid ones pass, malformed ones fail', () => {
  assert.ok(isValidateNotification({ kind: 'notification', method: 'validate/report/replace', params: { report: {} } }));
  assert.ok(isValidateNotification({ kind: 'notification', method: 'validate/agent/status', params: { caseName: 'a', status: 'running', message: '' } }));
  assert.ok(!isValidateNotification({ kind: 'notification', method: 'panel/state/replace', params: {} }));
  assert.ok(!isValidateNotification({ kind: 'command', method: 'validate/report/replace', params: {} }));
  assert.ok(!isValidateNotification({ kind: 'notification', method: 'validate/report/replace', params: null }));
});

test('the histogram bins mean the same decades in the engine and the view', () => {
  assert.equal(VIEW_HISTOGRAM_MIN_EXP, HISTOGRAM_MIN_EXP);
});
