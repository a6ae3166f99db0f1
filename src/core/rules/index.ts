/**
 * The rule registry: every rule family, in the order they run, and the table of all codes.
 * To add a rule family: write `src/core/rules/<family>.ts` exporting a {@link Rule}, and add it here.
 */
import { apiArgumentsRule, apiRule, cudnnRule } from './api';
import { headersRule } from './headers';
import { gapsRule } from './gaps';
import { warpRule, warpSyncRule } from './warp';
import { warpHostRule } from './warp-host';
import { archGuardsRule, archRule, cudaArchBranchRule, cudaArchRule } from './arch';
import { asmRule } from './asm';
import { kernelLaunchRule, launchRule } from './launch';
import { memoryRule, symbolsRule } from './memory';
import { librariesRule } from './libraries';
import { cxxHostCallsRule, cxxRule, registerRule } from './cxx';
import { freshMemoryRule, hostCallbackRule, runtimeRule } from './runtime';
import type { Rule, RuleCode } from './types';

/** Codes reported by the engine itself rather than a rule. */
const ENGINE_CODES: readonly RuleCode[] = [
  {
    code: 'HP901',
    family: 'parse',
    defaultSeverity: 'information',
    title: 'Region tree-sitter could not parse',
    docs: 'https://tree-sitter.github.io/tree-sitter/',
  },
  { code: 'HP999', family: 'parse', defaultSeverity: 'hint', title: 'Internal error in a rule', docs: '' },
];

/** All rules, in run order. */
export const ALL_RULES: readonly Rule[] = [
  apiRule,
  gapsRule,
  cudnnRule,
  headersRule,
  kernelLaunchRule,
  apiArgumentsRule,
  warpSyncRule,
  cudaArchRule,
  cudaArchBranchRule,
  symbolsRule,
  registerRule,
  warpRule,
  warpHostRule,
  archRule,
  archGuardsRule,
  asmRule,
  launchRule,
  memoryRule,
  librariesRule,
  cxxRule,
  cxxHostCallsRule,
  runtimeRule,
  hostCallbackRule,
  freshMemoryRule,
];

/** Every code any rule may report, by code. */
export const CODE_INFO: ReadonlyMap<string, RuleCode> = new Map(
  [...ALL_RULES.flatMap((r) => r.codes), ...ENGINE_CODES].map((c) => [c.code, c] as const),
);
