// Reads the `--cpu-prof` files the Confab nodes wrote and says where their CPU time went, by
// package (or Confab source file), by self time.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  where: string;
  ms: number;
  share: number;
}

/** The bucket a frame's self time is charged to: a dependency, a Confab file, Node, or V8. */
export function bucketOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) return functionName || '(anonymous)';
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (dependency) return dependency;
  const confab = /packages\/([^/]+)\/dist\/(.+)$/.exec(url);
  if (confab) return `@confab/${confab[1]} ${confab[2]}`;
  if (url.startsWith('node:'))
    return url
      .replace(/^node:internal\//, 'node:')
      .split('/')
      .slice(0, 2)
      .join('/');
  return url;
}

/** Self time by bucket over every profile in `dir` whose name starts with `prefix`. */
export function summarizeProfiles(dir: string, prefix: string, top = 12): { text: string; top: ProfileEntry[] } | undefined {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && f.startsWith(prefix));
  if (!files.length) return undefined;
  const totals = new Map<string, number>();
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((node) => [node.id, bucketOf(node.callFrame)]));
    profile.samples.forEach((id, i) => {
      const bucket = byId.get(id) ?? '?';
      totals.set(bucket, (totals.get(bucket) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
    });
  }
  totals.delete('(idle)');
  const busy = [...totals.values()].reduce((a, b) => a + b, 0);
  const entries = [...totals]
    .map(([where, ms]) => ({ where, ms: Math.round(ms), share: ms / busy }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, top);
  const text = [
    `${files.length} profile(s), ${Math.round(busy).toLocaleString('en-US')} ms busy`,
    '',
    '| where | self ms | share |',
    '| --- | --- | --- |',
    ...entries.map((e) => `| ${e.where} | ${e.ms.toLocaleString('en-US')} | ${(e.share * 100).toFixed(1)}% |`),
  ].join('\n');
  return { text, top: entries };
}
