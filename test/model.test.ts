import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { buildOnnxModel, buildTar, buildTarGz } from '../integ/model/model-builder';

const MODEL_DIR = path.join(__dirname, '..', 'integ', 'model');
const committedOnnx = fs.readFileSync(path.join(MODEL_DIR, 'model.onnx'));
const committedTarGz = fs.readFileSync(path.join(MODEL_DIR, 'model.tar.gz'));

// ---------------------------------------------------------------------------
// Minimal protobuf reader: enough to walk the ONNX messages the builder writes.
// ---------------------------------------------------------------------------

interface PbField {
  readonly field: number;
  readonly value: number | Buffer;
}

function readVarint(buf: Buffer, start: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  let pos = start;
  for (;;) {
    const byte = buf[pos++];
    if (byte === undefined) throw new Error('truncated varint');
    value += (byte % 0x80) * scale;
    if (byte < 0x80) return { value, next: pos };
    scale *= 0x80;
  }
}

function decode(buf: Buffer): PbField[] {
  const fields: PbField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const key = readVarint(buf, pos);
    const field = Math.floor(key.value / 8);
    const wireType = key.value % 8;
    if (wireType === 0) {
      const v = readVarint(buf, key.next);
      fields.push({ field, value: v.value });
      pos = v.next;
    } else if (wireType === 2) {
      const len = readVarint(buf, key.next);
      const end = len.next + len.value;
      if (end > buf.length) throw new Error('truncated length-delimited field');
      fields.push({ field, value: buf.subarray(len.next, end) });
      pos = end;
    } else {
      throw new Error(`unexpected wire type ${wireType}`);
    }
  }
  return fields;
}

function all(buf: Buffer, field: number): Buffer[] {
  return decode(buf).filter((f) => f.field === field).map((f) => {
    if (!Buffer.isBuffer(f.value)) throw new Error(`field ${field} is not length-delimited`);
    return f.value;
  });
}

function one(buf: Buffer, field: number): Buffer {
  const found = all(buf, field);
  if (found.length !== 1) throw new Error(`expected one field ${field}, found ${found.length}`);
  return found[0];
}

function int(buf: Buffer, field: number): number {
  const found = decode(buf).find((f) => f.field === field);
  if (found === undefined || typeof found.value !== 'number') throw new Error(`missing varint field ${field}`);
  return found.value;
}

function str(buf: Buffer, field: number): string {
  return one(buf, field).toString('utf8');
}

/** Packed repeated varints, as the builder writes them. */
function packedInts(buf: Buffer, field: number): number[] {
  const payload = one(buf, field);
  const values: number[] = [];
  for (let pos = 0; pos < payload.length;) {
    const v = readVarint(payload, pos);
    values.push(v.value);
    pos = v.next;
  }
  return values;
}

/** Name, element type and dims of a ValueInfoProto. */
function valueInfo(info: Buffer): { name: string; elemType: number; dims: number[] } {
  const tensorType = one(one(info, 2), 1);
  const dims = all(one(tensorType, 2), 1).map((dim) => int(dim, 1));
  return { name: str(info, 1), elemType: int(tensorType, 1), dims };
}

// ---------------------------------------------------------------------------
// Minimal ustar reader.
// ---------------------------------------------------------------------------

interface TarEntry {
  readonly name: string;
  readonly mode: number;
  readonly mtime: number;
  readonly content: Buffer;
}

/** A NUL-terminated (or NUL-padded) ASCII header field. */
function headerField(header: Buffer, start: number, length: number): string {
  return header.subarray(start, start + length).toString('ascii').replace(/\0.*$/s, '').trim();
}

function tarEntries(tar: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let pos = 0;
  while (pos + 512 <= tar.length) {
    const header = tar.subarray(pos, pos + 512);
    if (header.every((byte) => byte === 0)) break;
    if (headerField(header, 257, 6) !== 'ustar') throw new Error('not a ustar header');
    // The stored checksum is the byte sum with the checksum field read as spaces.
    const sum = header.reduce((acc, byte, index) => acc + (index >= 148 && index < 156 ? 0x20 : byte), 0);
    if (parseInt(headerField(header, 148, 8), 8) !== sum) throw new Error('bad tar header checksum');
    const size = parseInt(headerField(header, 124, 12), 8);
    const content = tar.subarray(pos + 512, pos + 512 + size);
    entries.push({
      name: headerField(header, 0, 100),
      mode: parseInt(headerField(header, 100, 8), 8),
      mtime: parseInt(headerField(header, 136, 12), 8),
      content,
    });
    pos += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}

// ---------------------------------------------------------------------------

describe('integration test model', () => {
  test('committed files match the generator (regenerate with integ/model/make-model.ts)', () => {
    const model = buildOnnxModel();
    expect(committedOnnx.equals(model)).toBe(true);
    // Compared after gunzip: compressed bytes may legitimately differ between zlib builds.
    expect(zlib.gunzipSync(committedTarGz).equals(buildTar('model.onnx', model))).toBe(true);
  });

  test('generator output is deterministic', () => {
    const model = buildOnnxModel();
    expect(buildTarGz('model.onnx', model).equals(buildTarGz('model.onnx', buildOnnxModel()))).toBe(true);
  });

  test('tarball holds exactly model.onnx, with fixed metadata', () => {
    const entries = tarEntries(zlib.gunzipSync(committedTarGz));
    expect(entries.map((e) => e.name)).toEqual(['model.onnx']);
    expect(entries[0].mode).toBe(0o644);
    expect(entries[0].mtime).toBe(0);
    expect(entries[0].content.equals(committedOnnx)).toBe(true);
  });

  test('tarball stays small', () => {
    expect(committedTarGz.length).toBeLessThan(100 * 1024);
  });

  test('ONNX graph has the input and output Neo is told about', () => {
    const graph = one(committedOnnx, 7);
    const inputs = all(graph, 11).map(valueInfo);
    const outputs = all(graph, 12).map(valueInfo);
    expect(inputs).toEqual([{ name: 'input0', elemType: 1, dims: [1, 3, 8, 8] }]);
    expect(outputs).toEqual([{ name: 'output0', elemType: 1, dims: [1, 4] }]);
  });

  test('ONNX model is IR 7, opset 13, Conv -> Relu -> GlobalAveragePool -> Flatten', () => {
    expect(int(committedOnnx, 1)).toBe(7);
    const opset = one(committedOnnx, 8);
    expect(str(opset, 1)).toBe('');
    expect(int(opset, 2)).toBe(13);

    const graph = one(committedOnnx, 7);
    const nodes = all(graph, 1);
    expect(nodes.map((n) => str(n, 4))).toEqual(['Conv', 'Relu', 'GlobalAveragePool', 'Flatten']);
    // Each node consumes the previous node's output; the last one produces output0.
    const firstInputs = nodes.map((n) => all(n, 1).map((b) => b.toString('utf8'))[0]);
    const outputs = nodes.map((n) => str(n, 2));
    expect(firstInputs).toEqual(['input0', ...outputs.slice(0, -1)]);
    expect(outputs[outputs.length - 1]).toBe('output0');

    const convAttributes = Object.fromEntries(all(nodes[0], 5).map((a) => [str(a, 1), packedInts(a, 8)]));
    expect(convAttributes).toEqual({ kernel_shape: [3, 3], pads: [1, 1, 1, 1] });

    const [weight] = all(graph, 5);
    expect(str(weight, 8)).toBe(all(nodes[0], 1)[1].toString('utf8'));
    expect(packedInts(weight, 1)).toEqual([4, 3, 3, 3]);
    expect(int(weight, 2)).toBe(1);
    expect(one(weight, 9).length).toBe(4 * 3 * 3 * 3 * 4);
  });
});
