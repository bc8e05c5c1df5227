import { REFS, type ByteSource } from '../../../core/index.js';
import type { ScanContext, Scanner } from '../../scan/types.js';
import { plausibleHead, schema } from '../protobuf-head.js';
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

const S = 'string' as const;
const NODE_DEF = schema(
  [
    [1, S],
    [2, S],
    [3, S],
    [4, S],
    [5, WIRE_LEN],
    [6, WIRE_LEN],
    [7, WIRE_LEN],
  ],
  true,
);
const OP_DEF = schema(
  [
    [1, S],
    [2, WIRE_LEN],
    [3, WIRE_LEN],
    [4, WIRE_LEN],
    [5, S],
    [6, S],
  ],
  true,
);
const META_INFO = schema(
  [
    [1, S],
    [2, schema([[1, OP_DEF]])],
    [3, WIRE_LEN],
    [4, S],
    [5, S],
    [6, S],
    [7, WIRE_VARINT],
    [8, WIRE_LEN],
  ],
  true,
);
const GRAPH_DEF = schema(
  [
    [1, NODE_DEF],
    [2, WIRE_LEN],
    [3, WIRE_VARINT],
    [4, WIRE_LEN],
    [5, WIRE_LEN],
  ],
  true,
);
const META_GRAPH = schema(
  [
    [1, META_INFO],
    [2, GRAPH_DEF],
    [3, WIRE_LEN],
    [4, WIRE_LEN],
    [5, WIRE_LEN],
    [6, WIRE_LEN],
    [7, WIRE_LEN],
  ],
  true,
);
const SAVED_MODEL = schema([
  [1, WIRE_VARINT],
  [2, META_GRAPH],
]);

/**
 * A SavedModel starts with field 1 (schema version, a varint) or field 2 (a MetaGraphDef), and its
 * head must parse as SavedModel → MetaGraphDef → MetaInfoDef/GraphDef → OpDef/NodeDef (see
 * protobuf-head.ts), which variables/ shards and other binaries do not.
 */
export function detectSavedModel(head: Buffer, size: number): boolean {
  if (head.length < 4 || (head[0] !== 0x08 && head[0] !== 0x12)) return false;
  return plausibleHead(head, size, SAVED_MODEL, 4);
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
