import { REFS, bufferSource, type ByteSource } from '../../../core/index.js';
import { ArtifactError } from '../../errors.js';
import type { ScanContext, Scanner } from '../../scan/types.js';
import { ProtoReader, WIRE_LEN, WIRE_VARINT, type ProtoField } from '../protobuf.js';
import { clip } from '../text/shared.js';
import { OP_RULES, PRINT_TO_FILE, type OpRule } from './ops.js';

/**
 * TensorFlow SavedModel (`saved_model.pb`, a serialised tensorflow.SavedModel). Walks every
 * MetaGraphDef's GraphDef nodes, the function library (FunctionDef.node_def) and the stripped op
 * list, and reports dangerous ops (see ops.ts), one finding per op type with a count.
 */

// field numbers (tensorflow/core/protobuf/saved_model.proto, meta_graph.proto, graph.proto,
// function.proto, node_def.proto, attr_value.proto, op_def.proto)
const SavedModel = { version: 1, metaGraphs: 2 } as const;
const MetaGraph = { metaInfo: 1, graphDef: 2 } as const;
const MetaInfo = { strippedOpList: 2 } as const;
const OpList = { op: 1 } as const;
const OpDef = { name: 1 } as const;
const GraphDef = { node: 1, library: 2 } as const;
const Library = { function: 1 } as const;
const FunctionDef = { signature: 1, nodeDef: 3 } as const;
const NodeDef = { name: 1, op: 2, attr: 5 } as const;
const AttrEntry = { key: 1, value: 2 } as const;
const AttrValue = { s: 2 } as const;

/** First-level MetaGraphDef field numbers (all length-delimited). */
const META_GRAPH_FIELDS = new Set([1, 2, 3, 4, 5, 6, 7]);

export function detectSavedModel(head: Buffer, size: number): boolean {
  if (head.length < 4 || (head[0] !== 0x08 && head[0] !== 0x12)) return false;
  const r = new ProtoReader(bufferSource(head));
  try {
    let pos = 0;
    if (head[0] === 0x08) {
      const [v, p] = r.varint(1, head.length);
      if (v < 0 || v > 10) return false;
      pos = p;
    }
    if (head[pos] !== 0x12) return false;
    const [len, p1] = r.varint(pos + 1, head.length);
    if (len < 2 || len > size - p1) return false;
    // first field of the MetaGraphDef, and the first field inside that
    const [tag, p2] = r.varint(p1, Math.min(head.length, p1 + len));
    if (tag % 8 !== WIRE_LEN || !META_GRAPH_FIELDS.has(Math.floor(tag / 8))) return false;
    const [inner, p3] = r.varint(p2, head.length);
    if (inner > p1 + len - p3) return false;
    if (inner === 0 || p3 >= head.length) return true;
    const [tag2] = r.varint(p3, Math.min(head.length, p3 + inner));
    const field2 = Math.floor(tag2 / 8);
    return field2 >= 1 && field2 <= 16 && (tag2 % 8 === WIRE_LEN || tag2 % 8 === WIRE_VARINT);
  } catch (e) {
    return e instanceof ArtifactError && e.code === 'TRUNCATED' && head.length < size;
  }
}

/** Occurrences of one flagged op: rule, count and sample node names. */
interface Hit {
  rule: OpRule;
  count: number;
  where: string[];
}

class GraphWalker {
  readonly hits = new Map<string, Hit>();
  nodes = 0;

  constructor(
    private readonly r: ProtoReader,
    private readonly ctx: ScanContext,
  ) {}

  private *sub(f: ProtoField, depth: number): Generator<ProtoField> {
    if (f.wire !== WIRE_LEN) return;
    this.r.enter(depth);
    yield* this.r.fields(f.start, f.end);
  }

  private hit(op: string, rule: OpRule, where: string): void {
    const h = this.hits.get(op) ?? { rule, count: 0, where: [] };
    h.count++;
    if (h.where.length < 5) h.where.push(where);
    this.hits.set(op, h);
  }

  model(size: number): void {
    for (const f of this.r.fields(0, size))
      if (f.field === SavedModel.metaGraphs)
        for (const g of this.sub(f, 1)) {
          if (g.field === MetaGraph.graphDef) this.graph(g, 2);
          else if (g.field === MetaGraph.metaInfo)
            for (const h of this.sub(g, 2))
              if (h.field === MetaInfo.strippedOpList)
                for (const op of this.sub(h, 3))
                  if (op.field === OpList.op)
                    for (const n of this.sub(op, 4))
                      if (n.field === OpDef.name && n.wire === WIRE_LEN)
                        this.opListEntry(this.r.string(n, 256));
        }
  }

  private opListEntry(op: string): void {
    const rule = OP_RULES.get(op);
    if (rule) this.hit(op, rule, 'stripped op list');
  }

  private graph(f: ProtoField, depth: number): void {
    for (const g of this.sub(f, depth)) {
      if (g.field === GraphDef.node) this.node(g, depth + 1, 'graph');
      else if (g.field === GraphDef.library)
        for (const fn of this.sub(g, depth + 1)) if (fn.field === Library.function) this.func(fn, depth + 2);
    }
  }

  private func(f: ProtoField, depth: number): void {
    let name = '?';
    for (const g of this.sub(f, depth)) {
      if (g.field === FunctionDef.signature)
        for (const s of this.sub(g, depth + 1))
          if (s.field === OpDef.name && s.wire === WIRE_LEN) name = this.r.string(s, 256);
      if (g.field === FunctionDef.nodeDef) this.node(g, depth + 1, `function '${clip(name, 60)}'`);
    }
  }

  private node(f: ProtoField, depth: number, where: string): void {
    if ((++this.nodes & 0xfff) === 0) this.ctx.checkDeadline();
    let name = '';
    let op = '';
    const attrs: ProtoField[] = [];
    for (const g of this.sub(f, depth)) {
      if (g.wire !== WIRE_LEN) continue;
      if (g.field === NodeDef.name) name = this.r.string(g, 256);
      else if (g.field === NodeDef.op) op = this.r.string(g, 256);
      else if (g.field === NodeDef.attr) attrs.push(g);
    }
    const label = `node '${clip(name || '?', 60)}' in ${where}`;
    const rule = OP_RULES.get(op);
    if (rule) {
      const token = rule.severity === 'critical' ? this.attrString(attrs, 'token', depth + 1) : null;
      this.hit(op, rule, token ? `${label} (token '${clip(token, 40)}')` : label);
    } else if (op === 'PrintV2') {
      const stream = this.attrString(attrs, 'output_stream', depth + 1);
      if (stream?.startsWith('file://'))
        this.hit('PrintV2', PRINT_TO_FILE, `${label} -> ${clip(stream, 80)}`);
    }
  }

  private attrString(attrs: ProtoField[], key: string, depth: number): string | null {
    for (const a of attrs) {
      let k = '';
      let value: ProtoField | null = null;
      for (const g of this.sub(a, depth)) {
        if (g.field === AttrEntry.key && g.wire === WIRE_LEN) k = this.r.string(g, 256);
        else if (g.field === AttrEntry.value) value = g;
      }
      if (k !== key || !value) continue;
      for (const v of this.sub(value, depth + 1))
        if (v.field === AttrValue.s && v.wire === WIRE_LEN) return this.r.string(v, 512);
    }
    return null;
  }
}

export const savedModelScanner: Scanner = {
  format: 'savedmodel',
  detect: detectSavedModel,
  scan(src: ByteSource, ctx: ScanContext): void {
    const walker = new GraphWalker(new ProtoReader(src, { maxDepth: 64 }), ctx);
    walker.model(src.size);
    ctx.metric('savedmodel_nodes', walker.nodes);
    for (const [op, h] of walker.hits)
      ctx.emit({
        id: h.rule.severity === 'critical' ? 'savedmodel.python-op' : 'savedmodel.dangerous-op',
        detector: 'savedmodel',
        severity: h.rule.severity,
        title: `TensorFlow graph uses ${op}`,
        detail: `${op} ${h.rule.reason}; ${h.count} occurrence(s): ${h.where.join('; ')}.`,
        refs: REFS.supplyChain,
      });
  },
};
