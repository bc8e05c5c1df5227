import type { Queryable } from '../core/store/index.js';
import { aliasesOf, datasetById, versionById, type VersionRow } from './queries.js';
import type { LineageEdge, LineageGraph, LineageNode, LineageRelation } from './types.js';

/** Which way to walk: towards what a version came from (up), what came from it (down), or both. */
export type LineageDirection = 'up' | 'down' | 'both';

export interface LineageOptions {
  direction?: LineageDirection;
  /** Longest path followed from the root (default 32). */
  depth?: number;
  /** Most nodes returned (default 500); the walk stops and says `truncated` past it. */
  maxNodes?: number;
}

type Key = { kind: 'version' | 'dataset'; id: number };

/** Walks lineage edges breadth-first from a version or a data set, bounded in depth and size. */
export async function lineageGraph(
  q: Queryable,
  root: Key,
  opts: LineageOptions = {},
): Promise<LineageGraph> {
  const direction = opts.direction ?? 'up';
  const maxDepth = opts.depth ?? 32;
  const maxNodes = opts.maxNodes ?? 500;
  const nodes = new Map<string, LineageNode>();
  const edges = new Map<string, LineageEdge>();
  const loaded = new Map<string, LineageNode | undefined>();
  let truncated = false;
  const node = async (k: Key): Promise<LineageNode | undefined> => {
    const key = `${k.kind}:${k.id}`;
    if (!loaded.has(key)) loaded.set(key, await loadNode(q, k));
    return loaded.get(key);
  };
  const rootNode = await node(root);
  if (!rootNode) return { root: '', nodes: [], edges: [], truncated: false };
  nodes.set(rootNode.id, rootNode);
  let frontier: Key[] = [root];
  const seen = new Set([`${root.kind}:${root.id}`]);
  for (let depth = 0; depth < maxDepth && frontier.length > 0; depth++) {
    const next: Key[] = [];
    for (const k of frontier) {
      const from = (await node(k))!;
      const links: { other: Key; relation: LineageRelation; out: boolean }[] = [];
      if (k.kind === 'version' && direction !== 'down') {
        const up = await q.all<{
          relation: LineageRelation;
          dst_kind: 'version' | 'dataset';
          dst_id: number;
        }>('SELECT relation, dst_kind, dst_id FROM registry_lineage WHERE src_id = ? ORDER BY id', [k.id]);
        for (const e of up)
          links.push({ other: { kind: e.dst_kind, id: Number(e.dst_id) }, relation: e.relation, out: true });
      }
      if (direction !== 'up') {
        const down = await q.all<{ relation: LineageRelation; src_id: number }>(
          'SELECT relation, src_id FROM registry_lineage WHERE dst_kind = ? AND dst_id = ? ORDER BY id',
          [k.kind, k.id],
        );
        for (const e of down)
          links.push({ other: { kind: 'version', id: Number(e.src_id) }, relation: e.relation, out: false });
      }
      for (const l of links) {
        const key = `${l.other.kind}:${l.other.id}`;
        if (!seen.has(key) && nodes.size >= maxNodes) {
          truncated = true;
          continue;
        }
        const other = await node(l.other);
        if (!other) continue;
        nodes.set(other.id, other);
        const edge = l.out
          ? { from: from.id, to: other.id, relation: l.relation }
          : { from: other.id, to: from.id, relation: l.relation };
        edges.set(`${edge.from}|${edge.relation}|${edge.to}`, edge);
        if (!seen.has(key)) {
          seen.add(key);
          next.push(l.other);
        }
      }
    }
    frontier = next;
    if (depth === maxDepth - 1 && next.length > 0) truncated = true;
  }
  return { root: rootNode.id, nodes: [...nodes.values()], edges: [...edges.values()], truncated };
}

async function loadNode(q: Queryable, k: Key): Promise<LineageNode | undefined> {
  if (k.kind === 'version') {
    const v: VersionRow | undefined = await versionById(q, k.id);
    if (!v) return undefined;
    const aliases = await aliasesOf(q, v.id);
    return {
      id: `version:${v.name}@${v.version}`,
      kind: 'version',
      label: `${v.name}@${v.version}`,
      digest: v.digest,
      ...(aliases.length ? { aliases } : {}),
    };
  }
  const d = await datasetById(q, k.id);
  if (!d) return undefined;
  return {
    id: `dataset:${d.name}@${d.digest}`,
    kind: 'dataset',
    label: `dataset ${d.name}`,
    digest: d.digest,
  };
}

const MAX_TREE_LINES = 2000;

/**
 * The graph as indented trees from the root, following edges away from it: what it came from (up) and
 * what came from it (down). A node reached twice is expanded once; the output is bounded.
 */
export function renderLineageTree(g: LineageGraph, direction: LineageDirection = 'up'): string {
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const label = (id: string): string => {
    const n = byId.get(id);
    if (!n) return id;
    const short = n.digest.replace(/^sha256:/, '').slice(0, 12);
    return `${n.label} (${short}${n.aliases?.length ? `; ${n.aliases.join(', ')}` : ''})`;
  };
  const lines = [label(g.root)];
  const tree = (dir: 'up' | 'down', heading: string | undefined): void => {
    const expanded = new Set([g.root]);
    if (heading) lines.push(heading);
    const walk = (id: string, prefix: string): void => {
      const kids =
        dir === 'up'
          ? g.edges
              .filter((e) => e.from === id)
              .map((e) => ({ id: e.to, text: `${e.relation} ${label(e.to)}` }))
          : g.edges
              .filter((e) => e.to === id)
              .map((e) => ({ id: e.from, text: `${label(e.from)} (${e.relation})` }));
      kids.forEach((k, i) => {
        if (lines.length >= MAX_TREE_LINES) return;
        const last = i === kids.length - 1;
        const again = expanded.has(k.id);
        lines.push(`${prefix}${last ? '└─ ' : '├─ '}${k.text}${again ? ' (shown above)' : ''}`);
        if (!again) {
          expanded.add(k.id);
          walk(k.id, `${prefix}${last ? '   ' : '│  '}`);
        }
      });
    };
    walk(g.root, '');
  };
  if (direction === 'both') {
    tree('up', 'came from:');
    tree('down', 'used by:');
  } else tree(direction, undefined);
  if (lines.length >= MAX_TREE_LINES)
    lines.push(`(cut at ${MAX_TREE_LINES} lines; use --json for the whole graph)`);
  if (g.truncated) lines.push('(truncated: raise --depth or narrow the query)');
  return `${lines.join('\n')}\n`;
}
