/**
 * The pure model of the Port Project review (no `vscode` import; unit-tested in
 * test/unit/project-model.test.ts): which file of a `hipPorter/portProject` plan becomes which
 * review (source, target, the text the hunks are computed against), the tree the Project Port view
 * shows (groups → files → hunks, plus the project report), and what an apply will write.
 * Paths: project-relative with `/` in the plan; absolute POSIX paths (`root` + `/` + path) here.
 */
import type { WireProjectFile, PortProjectResult } from '../shared/lsp-protocol';
import { applySelection, countDecisions, hunkLabel, type Hunk, type HunkDecision } from './hunks';

/** One review to open for a planned file. */
export interface ProjectEntry {
  /** Project-relative output path (e.g. `src/main.hip`). */
  path: string;
  kind: WireProjectFile['kind'];
  /** Absolute path of the diff's left side / review source: the input file, or the target for generated files. */
  source: string;
  /** Absolute path the accepted text is written to. */
  target: string;
  /** The text the hunks are computed against: the input file's text, else the target's current text, else `''`. */
  original: string;
  /** The proposed text. */
  proposal: string;
  /** True when the left side is not the source file on disk (a generated file, or a rename onto an existing target): show it from memory. */
  originalInMemory: boolean;
  /** True when writing creates `target`. */
  creates: boolean;
  /** True when a renamed file's target (`k.hip` for `k.cu`) already exists: the diff is against the CUDA source, and writing replaces that file. */
  replacesOther: boolean;
  /** Number of findings of the file (open source findings or build-file edits). */
  findings: number;
}

/**
 * The reviews to open for a plan: one per planned file whose proposal differs from what it replaces.
 * A renamed file (`k.cu` → `k.hip`) is reviewed against the CUDA source and written to the new name;
 * a generated file is reviewed against the target's current text when it exists (so an earlier
 * compat header is diffed, not silently replaced), else against nothing.
 * @param existing the current text of targets that exist, by absolute path (files missing from the map do not exist)
 */
export function projectEntries(plan: Pick<PortProjectResult, 'root' | 'files'>, existing: ReadonlyMap<string, string>): ProjectEntry[] {
  const root = plan.root.replace(/\/+$/, '');
  const abs = (p: string): string => `${root}/${p}`;
  const out: ProjectEntry[] = [];
  for (const f of plan.files) {
    const target = abs(f.path);
    const current = existing.get(target);
    const generated = f.from === undefined || f.before === undefined;
    const renamed = !generated && f.from !== f.path;
    const original = generated ? (current ?? '') : f.before!;
    if (original === f.after) continue;
    out.push({
      path: f.path,
      kind: f.kind,
      source: generated ? target : abs(f.from!),
      target,
      original,
      proposal: f.after,
      originalInMemory: generated,
      creates: current === undefined,
      replacesOther: renamed && current !== undefined && current !== original,
      findings: f.findings.length,
    });
  }
  return out;
}

/** A file of the review as the tree needs it. */
export interface ReviewedFile {
  /** Review id (diff-review.ts). */
  reviewId: string;
  entry: ProjectEntry;
  hunks: readonly Hunk[];
  decisions: ReadonlyMap<string, HunkDecision>;
}

/** The state of a file or group: every hunk decided the same way, a mix, or nothing decided. */
export type AggregateDecision = HunkDecision | 'mixed';

/** One node of the Project Port tree. */
export type ProjectNode =
  | { type: 'group'; id: string; label: string; description: string; decision: AggregateDecision; children: ProjectNode[] }
  | { type: 'file'; id: string; reviewId: string; label: string; description: string; tooltip: string; decision: AggregateDecision; children: ProjectNode[] }
  | { type: 'hunk'; id: string; reviewId: string; hunkId: string; label: string; description: string; decision: HunkDecision; proposalLine: number }
  | { type: 'note'; id: string; label: string; description: string; file?: string; line?: number; children: ProjectNode[] };

const GROUPS: ReadonlyArray<{ kind: WireProjectFile['kind']; label: string }> = [
  { kind: 'source', label: 'Sources' },
  { kind: 'header', label: 'Headers' },
  { kind: 'build', label: 'Build files' },
  { kind: 'compat', label: 'Compat header' },
];

/** The aggregate of several decisions (`pending` for none). */
export function aggregate(list: Iterable<HunkDecision>): AggregateDecision {
  let first: HunkDecision | undefined;
  for (const d of list) {
    if (first === undefined) first = d;
    else if (d !== first) return 'mixed';
  }
  return first ?? 'pending';
}

function counts(decisions: Iterable<HunkDecision>): string {
  const c = countDecisions(new Map([...decisions].map((d, i) => [String(i), d])));
  const parts = [c.accepted ? `${c.accepted} accepted` : '', c.rejected ? `${c.rejected} rejected` : '', c.pending ? `${c.pending} undecided` : ''].filter(Boolean);
  return parts.join(', ');
}

/**
 * The tree of the review: a group per file kind (sources, headers, build files, compat header) with
 * its files (label: project path; description: `from k.cu`, new/replaces, hunk counts) and their
 * hunks (label from {@link hunkLabel}, 1-based line numbers), then a `Report` group with what will
 * not compile, the hazards per translation unit, and the build lines kept without being understood.
 */
export function projectTree(files: readonly ReviewedFile[], report?: PortProjectResult['report']): ProjectNode[] {
  const nodes: ProjectNode[] = [];
  for (const g of GROUPS) {
    const inGroup = files.filter((f) => f.entry.kind === g.kind);
    if (inGroup.length === 0) continue;
    const children: ProjectNode[] = inGroup.map((f) => {
      const ds = f.hunks.map((h) => f.decisions.get(h.id) ?? 'pending');
      const from = f.entry.source.endsWith(`/${f.entry.path}`) ? '' : `from ${f.entry.source.split('/').pop()}`;
      const state = f.entry.creates ? 'new' : f.entry.replacesOther ? 'replaces the existing file' : '';
      return {
        type: 'file' as const,
        id: `file:${f.reviewId}`,
        reviewId: f.reviewId,
        label: f.entry.path,
        description: [from, state, `${f.hunks.length} change${f.hunks.length === 1 ? '' : 's'}`, counts(ds)].filter(Boolean).join(' · '),
        tooltip: `${f.entry.target}${f.entry.findings ? `\n${f.entry.findings} finding(s)` : ''}`,
        decision: aggregate(ds),
        children: f.hunks.map((h) => {
          const d = f.decisions.get(h.id) ?? 'pending';
          return { type: 'hunk' as const, id: `hunk:${f.reviewId}:${h.id}`, reviewId: f.reviewId, hunkId: h.id, label: hunkLabel(h), description: d === 'pending' ? '' : d, decision: d, proposalLine: h.proposalStart };
        }),
      };
    });
    const all = inGroup.flatMap((f) => f.hunks.map((h) => f.decisions.get(h.id) ?? 'pending'));
    nodes.push({ type: 'group', id: `group:${g.kind}`, label: g.label, description: `${inGroup.length} file${inGroup.length === 1 ? '' : 's'}`, decision: aggregate(all), children });
  }
  if (report) {
    const items: ProjectNode[] = [];
    for (const tu of report.tus) {
      if (!tu.blocking.length && !tu.hazards.length && !tu.unparsed.length) continue;
      items.push({
        type: 'note',
        id: `tu:${tu.file}`,
        label: tu.file,
        description: `${tu.blocking.length} will not compile, ${tu.hazards.length} hazard${tu.hazards.length === 1 ? '' : 's'}${tu.unparsed.length ? `, ${tu.unparsed.length} not parsed` : ''}`,
        file: tu.file,
        children: [...tu.blocking, ...tu.hazards, ...tu.unparsed].map((b, i) => ({ type: 'note' as const, id: `tu:${tu.file}:${i}`, label: `${b.code} ${b.message}`, description: `${b.file}:${b.line}`, file: b.file, line: b.line, children: [] })),
      });
    }
    for (const [i, u] of report.buildUnresolved.entries()) items.push({ type: 'note', id: `build:${i}`, label: `${u.code} ${u.message}`, description: `${u.file}:${u.line}`, file: u.file, line: u.line, children: [] });
    for (const [i, s] of report.skipped.entries()) items.push({ type: 'note', id: `skipped:${i}`, label: s, description: 'skipped', children: [] });
    if (items.length) nodes.push({ type: 'note', id: 'report', label: 'Report', description: `${items.length} item${items.length === 1 ? '' : 's'} need a person`, children: items });
  }
  return nodes;
}

/** What writing the review will do to one file. */
export interface PlannedWrite {
  path: string;
  target: string;
  /** `create`: a new file; `replace`: new content for an existing file; `skip`: nothing accepted. */
  op: 'create' | 'replace' | 'skip';
  /** The text written (accepted hunks taken, the original kept elsewhere); undefined for `skip`. */
  text?: string;
  accepted: number;
}

/**
 * What an apply writes, file by file: the accepted hunks (and undecided ones when
 * `includePending`) applied to each file's original with {@link applySelection}. Pure; the
 * extension hands the reviews to diff-review.ts, which builds the one WorkspaceEdit from the same
 * selection.
 */
export function plannedWrites(files: readonly ReviewedFile[], includePending: boolean): PlannedWrite[] {
  return files.map((f) => {
    const take = new Set(f.hunks.filter((h) => { const d = f.decisions.get(h.id) ?? 'pending'; return d === 'accepted' || (includePending && d === 'pending'); }).map((h) => h.id));
    if (take.size === 0) return { path: f.entry.path, target: f.entry.target, op: 'skip' as const, accepted: 0 };
    return { path: f.entry.path, target: f.entry.target, op: f.entry.creates ? ('create' as const) : ('replace' as const), text: applySelection(f.entry.original, f.hunks, take), accepted: take.size };
  });
}

/** A `hipProject` task definition as tasks.json holds it. */
export interface ProjectTaskJson {
  type: 'hipProject';
  /** Project folder: absolute, or relative to the task's workspace folder; default the workspace folder. */
  folder?: string;
  /** AMD targets; default `hipPorter.build.offloadArch`. */
  offloadArch?: string[];
  /** ssh Host alias of the ROCm box; default `hipPorter.build.remoteHost` (empty: build here). */
  remote?: string;
  /** Parallel jobs (default 2). */
  jobs?: number;
}

/** The keys of {@link ProjectTaskJson} (test/unit/project-model.test.ts compares them with package.json). */
export const PROJECT_TASK_JSON_KEYS = ['folder', 'offloadArch', 'remote', 'jobs'] as const;

/** The remote work directory of a setting value: a leading `~/` means the remote home (the runner's relative paths start there). */
export function remoteWorkDir(setting: string): string {
  const d = setting.trim().replace(/^~\/?/, '');
  return `${d === '' ? '.cache/hip-porter' : d.replace(/\/+$/, '')}/projects`;
}

