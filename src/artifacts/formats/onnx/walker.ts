import { REFS, type Refs, type Severity } from '../../../core/index.js';
import type { ScanContext } from '../../scan/types.js';
import { WIRE_LEN, type ProtoField, type ProtoReader } from '../protobuf.js';
import { CappedEmitter, clip } from '../text/shared.js';
import * as S from './schema.js';

/**
 * Walks an ONNX ModelProto: graphs (and subgraphs in If/Loop/Scan attributes), nodes, tensors,
 * local functions and training graphs. Collects operator domains and checks tensors as it goes;
 * `finish()` reports domains that need a custom-op library once every local function is known.
 */
export class OnnxWalker {
  nodes = 0;
  tensors = 0;
  private readonly opsByDomain = new Map<string, Set<string>>();
  private readonly opsetDomains = new Set<string>();
  private readonly localFunctions = new Set<string>();
  private readonly out: CappedEmitter;

  constructor(
    private readonly r: ProtoReader,
    private readonly ctx: ScanContext,
  ) {
    this.out = new CappedEmitter(ctx);
  }

  private emit(
    id: string,
    severity: Severity,
    title: string,
    detail: string,
    offset: number,
    refs: Refs,
  ): void {
    this.out.emit({ id, detector: 'onnx', severity, title, detail, location: { offset }, refs });
  }

  private *sub(f: ProtoField, depth: number): Generator<ProtoField> {
    if (f.wire !== WIRE_LEN) return;
    this.r.enter(depth);
    yield* this.r.fields(f.start, f.end);
  }

  model(start: number, end: number): void {
    for (const f of this.r.fields(start, end)) {
      if (f.field === S.Model.graph) this.graph(f, 1, 'graph');
      else if (f.field === S.Model.opsetImport) this.opset(f, 1);
      else if (f.field === S.Model.functions) this.func(f, 1);
      else if (f.field === S.Model.trainingInfo)
        for (const g of this.sub(f, 1))
          if (g.field === S.TrainingInfo.initialization || g.field === S.TrainingInfo.algorithm)
            this.graph(g, 2, 'training graph');
    }
  }

  private opset(f: ProtoField, depth: number): void {
    let domain = '';
    for (const g of this.sub(f, depth))
      if (g.field === S.OpsetId.domain && g.wire === WIRE_LEN) domain = this.r.string(g, 256);
    this.opsetDomains.add(domain);
  }

  private func(f: ProtoField, depth: number): void {
    let name = '';
    let domain = '';
    for (const g of this.sub(f, depth)) {
      if (g.wire !== WIRE_LEN) continue;
      if (g.field === S.FunctionProto.name) name = this.r.string(g, 256);
      else if (g.field === S.FunctionProto.domain) domain = this.r.string(g, 256);
      else if (g.field === S.FunctionProto.node) this.node(g, depth + 1, 'function');
      else if (g.field === S.FunctionProto.opsetImport) this.opset(g, depth + 1);
    }
    this.localFunctions.add(`${domain}::${name}`);
  }

  private graph(f: ProtoField, depth: number, where: string): void {
    for (const g of this.sub(f, depth)) {
      if (g.field === S.Graph.node) this.node(g, depth + 1, where);
      else if (g.field === S.Graph.initializer) this.tensor(g, depth + 1, where);
      else if (g.field === S.Graph.sparseInitializer) this.sparse(g, depth + 1, where);
    }
  }

  private node(f: ProtoField, depth: number, where: string): void {
    if ((++this.nodes & 0xfff) === 0) this.ctx.checkDeadline();
    let op = '';
    let domain = '';
    let name = '';
    const attrs: ProtoField[] = [];
    for (const g of this.sub(f, depth)) {
      if (g.wire !== WIRE_LEN) continue;
      if (g.field === S.Node.opType) op = this.r.string(g, 256);
      else if (g.field === S.Node.domain) domain = this.r.string(g, 256);
      else if (g.field === S.Node.name) name = this.r.string(g, 256);
      else if (g.field === S.Node.attribute) attrs.push(g);
    }
    const label = `node '${clip(name || '?', 60)}' (${domain ? `${clip(domain, 60)}::` : ''}${clip(op, 60)}) in ${where}`;
    if (S.PYTHON_OP.test(op))
      this.emit(
        'onnx.python-op',
        'high',
        'ONNX graph calls a Python operator',
        `${label} runs a Python callback registered by the runtime (onnxruntime-extensions PyOp / exported PythonOp): code outside the model file runs on load.`,
        f.start,
        REFS.supplyChain,
      );
    if (!this.opsByDomain.has(domain)) this.opsByDomain.set(domain, new Set());
    const ops = this.opsByDomain.get(domain)!;
    if (ops.size < 50) ops.add(op);
    for (const a of attrs) this.attribute(a, depth + 1, label);
  }

  private attribute(f: ProtoField, depth: number, where: string): void {
    for (const g of this.sub(f, depth)) {
      if (g.field === S.Attribute.g || g.field === S.Attribute.graphs)
        this.graph(g, depth + 1, `subgraph of ${where}`);
      else if (g.field === S.Attribute.t || g.field === S.Attribute.tensors) this.tensor(g, depth + 1, where);
      else if (g.field === S.Attribute.sparseTensor || g.field === S.Attribute.sparseTensors)
        this.sparse(g, depth + 1, where);
    }
  }

  private sparse(f: ProtoField, depth: number, where: string): void {
    for (const g of this.sub(f, depth))
      if (g.field === S.SparseTensor.values || g.field === S.SparseTensor.indices)
        this.tensor(g, depth + 1, where);
  }

  private tensor(f: ProtoField, depth: number, where: string): void {
    if ((++this.tensors & 0xfff) === 0) this.ctx.checkDeadline();
    const dims: number[] = [];
    let dataType = 0;
    let name = '';
    let raw: ProtoField | null = null;
    let external = false;
    let location: string | null = null;
    for (const g of this.sub(f, depth)) {
      if (g.field === S.Tensor.dims) {
        if (dims.length <= 64) dims.push(...this.r.packedVarints(g, 65));
      } else if (g.field === S.Tensor.dataType) dataType = g.value;
      else if (g.field === S.Tensor.name && g.wire === WIRE_LEN) name = this.r.string(g, 256);
      else if (g.field === S.Tensor.rawData && g.wire === WIRE_LEN) raw = g;
      else if (g.field === S.Tensor.dataLocation) external = g.value === 1;
      else if (g.field === S.Tensor.externalData) {
        const [key, value] = this.entry(g, depth + 1);
        if (key === 'location') location = value;
      }
    }
    const label = `tensor '${clip(name || '?', 80)}' in ${where}`;
    if (location !== null) {
      const problem = S.checkExternalLocation(location);
      if (problem)
        this.emit(
          'onnx.external-data-traversal',
          'high',
          'External tensor data points outside the model directory',
          `${label} loads its data from '${clip(location, 120)}': ${problem}. A loader resolving it reads (or with some tools fetches) arbitrary files.`,
          f.start,
          REFS.pathTraversal,
        );
    } else if (external) {
      this.emit(
        'onnx.invalid-external-data',
        'low',
        'External tensor without a location',
        `${label} is marked EXTERNAL but names no location`,
        f.start,
        REFS.malformed,
      );
    }
    if (dims.length > 64 || dims.some((d) => d < 0)) {
      this.emit(
        'onnx.invalid-tensor',
        'medium',
        'Tensor with invalid dimensions',
        `${label} declares dims [${clip(dims.join(', '), 120)}]`,
        f.start,
        REFS.malformed,
      );
      return;
    }
    const bits = S.DATA_TYPE_BITS.get(dataType);
    if (raw && bits !== undefined) {
      let numel = 1n;
      for (const d of dims) numel *= BigInt(Math.round(d));
      const want = (numel * BigInt(bits) + 7n) / 8n;
      const have = BigInt(raw.end - raw.start);
      if (want !== have)
        this.emit(
          'onnx.tensor-size-mismatch',
          'medium',
          'Tensor data length does not match its shape',
          `${label} declares dims [${dims.join(', ')}] (${want} bytes) but raw_data holds ${have} bytes`,
          f.start,
          REFS.malformed,
        );
    }
  }

  private entry(f: ProtoField, depth: number): [string, string] {
    let key = '';
    let value = '';
    for (const g of this.sub(f, depth)) {
      if (g.wire !== WIRE_LEN) continue;
      if (g.field === S.StringEntry.key) key = this.r.string(g, 256);
      else if (g.field === S.StringEntry.value) value = this.r.string(g, 4096);
    }
    return [key, value];
  }

  /** Reports operator domains that no ONNX/ORT built-in or local function serves. */
  finish(): void {
    const domains = new Set([...this.opsByDomain.keys(), ...this.opsetDomains]);
    for (const domain of domains) {
      if (S.STANDARD_DOMAINS.has(domain)) continue;
      const ops = [...(this.opsByDomain.get(domain) ?? [])].filter(
        (op) => !this.localFunctions.has(`${domain}::${op}`),
      );
      const declaredOnly = !this.opsByDomain.has(domain);
      if (!declaredOnly && ops.length === 0) continue;
      if (declaredOnly && [...this.localFunctions].some((k) => k.startsWith(`${domain}::`))) continue;
      this.emit(
        'onnx.custom-domain',
        'medium',
        'ONNX model needs a custom operator library',
        `operator domain '${clip(domain, 80)}'${
          ops.length
            ? ` (ops: ${ops
                .slice(0, 10)
                .map((o) => clip(o, 40))
                .join(', ')})`
            : ''
        } is not part of ONNX or ONNX Runtime; running the model requires registering a native custom-op library, which executes code.`,
        0,
        REFS.supplyChain,
      );
    }
    this.out.flush();
  }
}
