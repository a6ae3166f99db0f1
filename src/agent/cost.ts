/**
 * Cost accounting for agent runs: a small per-model price table and the cost of one request.
 *
 * Prices are USD per million tokens (MTok), standard (non-batch) Claude API rates, as checked on
 * 2026-11-22 in these sources:
 *  - the model overview pages at https://platform.claude.com/docs/en/models/<model>/overview
 *    (Sonnet 5.5, Opus 5.5, Opus 5, Sonnet 5: input, output, 5m / 1h cache write, cache read);
 *  - https://platform.claude.com/docs/en/about-claude/pricing (older models; prompt-caching
 *    multipliers: 5-minute write 1.25x input, 1-hour write 2x input);
 *  - the 2026-10-07 price change (Sonnet 5.5 cache reads $0.20 -> $0.10; Haiku 5.5 released with a
 *    prompt-length tier at 100,000 prompt tokens), as reported by price trackers that re-checked the
 *    official pricing page (e.g. claudit v1.9.2 release notes, 2026-10-24).
 * Prices change: unknown models yield `null` (the UI shows "cost unknown"), never a guess.
 */

import type { AgentUsage } from './types';

/** USD per million tokens for each token category. */
export interface TokenRates {
  input: number;
  output: number;
  /** 5-minute cache write (the TTL of `cache_control: {type: 'ephemeral'}`). */
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

/** A model's price; `longPrompt` applies to a whole request whose prompt exceeds `thresholdTokens`. */
export interface ModelPrice extends TokenRates {
  /** Prompt = input + cache read + cache write tokens of one request. */
  longPrompt?: TokenRates & { thresholdTokens: number };
}

/** Date the table was last checked against the sources in this file's header (ISO 8601). */
export const PRICES_CHECKED = '2026-11-22';

const r = (input: number, output: number, cacheWrite5m: number, cacheWrite1h: number, cacheRead: number): TokenRates => ({
  input,
  output,
  cacheWrite5m,
  cacheWrite1h,
  cacheRead,
});

/** The price table, keyed by model id without a date suffix. */
export const MODEL_PRICES: Readonly<Record<string, ModelPrice>> = Object.freeze({
  'claude-opus-5-5': r(4, 20, 5, 8, 0.2),
  'claude-sonnet-5-5': r(2, 10, 2.5, 4, 0.1),
  'claude-haiku-5-5': {
    ...r(0.1, 0.5, 0.125, 0.2, 0.01),
    longPrompt: { ...r(0.5, 2.5, 0.625, 1, 0.05), thresholdTokens: 100_000 },
  },
  'claude-opus-5': r(5, 25, 6.25, 10, 0.5),
  'claude-sonnet-5': r(2, 10, 2.5, 4, 0.2),
  'claude-opus-4-5': r(5, 25, 6.25, 10, 0.5),
  'claude-sonnet-4-5': r(3, 15, 3.75, 6, 0.3),
  'claude-haiku-4-5': r(1, 5, 1.25, 2, 0.1),
});

/**
 * Looks up a model's price. Accepts dated ids (`claude-sonnet-4-5-20250929` -> `claude-sonnet-4-5`).
 * Returns undefined for models not in {@link MODEL_PRICES}.
 */
export function priceFor(model: string): ModelPrice | undefined {
  const key = model.trim().replace(/-\d{8}$/, '');
  return Object.prototype.hasOwnProperty.call(MODEL_PRICES, key) ? MODEL_PRICES[key] : undefined;
}

/** Token counts of one request, as the Messages API reports them in `usage`. */
export interface RequestUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  /** All cache-write tokens; split below when the API gives the TTL breakdown. */
  cacheWriteTokens: number;
  /** Of `cacheWriteTokens`, how many were 1-hour writes (the rest are 5-minute writes). */
  cacheWrite1hTokens: number;
}

/** Cost in USD of one request, or null when the model's price is unknown. */
export function requestCostUsd(model: string, u: RequestUsage): number | null {
  const price = priceFor(model);
  if (!price) return null;
  const prompt = u.inputTokens + u.cacheReadTokens + u.cacheWriteTokens;
  const rates: TokenRates = price.longPrompt && prompt > price.longPrompt.thresholdTokens ? price.longPrompt : price;
  const write1h = Math.min(u.cacheWrite1hTokens, u.cacheWriteTokens);
  const write5m = u.cacheWriteTokens - write1h;
  return (
    (u.inputTokens * rates.input +
      u.outputTokens * rates.output +
      u.cacheReadTokens * rates.cacheRead +
      write5m * rates.cacheWrite5m +
      write1h * rates.cacheWrite1h) /
    1_000_000
  );
}

/** Formats a cost for people: `$0.0123`, or `cost unknown` for null. */
export function formatCost(costUsd: number | null): string {
  if (costUsd === null) return 'cost unknown';
  return `$${costUsd < 1 ? costUsd.toFixed(4) : costUsd.toFixed(2)}`;
}

/** A zeroed {@link AgentUsage}. */
export function emptyUsage(): AgentUsage {
  return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, requests: 0 };
}
