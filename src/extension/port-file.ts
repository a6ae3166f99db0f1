/** Placeholder: filled in by its feature owner. */
import type { HipPorterContext } from './context';

export function activate(_ctx: HipPorterContext): void {}
