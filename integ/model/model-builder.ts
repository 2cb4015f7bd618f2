import * as zlib from 'zlib';

// Builds the integration-test model byte for byte with Node.js built-ins only, so the
// committed model.onnx and model.tar.gz can be regenerated and checked without ML tooling.

// ---------------------------------------------------------------------------
// Minimal protobuf writer: only what ONNX needs (varints and length-delimited fields).
// ---------------------------------------------------------------------------

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;

function varint(value: number): Buffer {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`varint needs a non-negative safe integer, got ${value}`);
  }
  const bytes: number[] = [];
  let rest = value;
  // Division instead of bit shifts: shifts would truncate values above 2^31.
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) + 0x80); // low 7 bits, continuation bit set
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

function tag(field: number, wireType: number): Buffer {
  return varint(field * 8 + wireType);
}

function intField(field: number, value: number): Buffer {
  return Buffer.concat([tag(field, WIRE_VARINT), varint(value)]);
}

function bytesField(field: number, payload: Buffer): Buffer {
  return Buffer.concat([tag(field, WIRE_LENGTH_DELIMITED), varint(payload.length), payload]);
}

function stringField(field: number, value: string): Buffer {
  return bytesField(field, Buffer.from(value, 'utf8'));
}

function messageField(field: number, parts: Buffer[]): Buffer {
  return bytesField(field, Buffer.concat(parts));
}

/** Repeated int64 in the packed encoding, the proto3 default. */
function packedIntsField(field: number, values: number[]): Buffer {
  return bytesField(field, Buffer.concat(values.map(varint)));
}

// ---------------------------------------------------------------------------
// ONNX messages (field numbers from onnx.proto3).
// ---------------------------------------------------------------------------

const IR_VERSION = 7;
const OPSET_VERSION = 13;
/** TensorProto.DataType.FLOAT */
const ELEM_TYPE_FLOAT = 1;
/** AttributeProto.AttributeType.INTS */
const ATTR_TYPE_INTS = 7;

export const INPUT_NAME = 'input0';
export const INPUT_SHAPE = [1, 3, 8, 8];
export const OUTPUT_NAME = 'output0';
export const OUTPUT_SHAPE = [1, 4];

const CONV_OUT_CHANNELS = 4;
const WEIGHT_SHAPE = [CONV_OUT_CHANNELS, INPUT_SHAPE[1], 3, 3];

/** ValueInfoProto for a float tensor with a fixed shape. */
function tensorValueInfo(name: string, dims: number[]): Buffer {
  const shape = dims.map((dim) => messageField(1, [intField(1, dim)])); // TensorShapeProto.dim.dim_value
  const tensorType = [intField(1, ELEM_TYPE_FLOAT), messageField(2, shape)]; // TypeProto.Tensor
  return Buffer.concat([stringField(1, name), messageField(2, [messageField(1, tensorType)])]);
}

function intsAttribute(name: string, values: number[]): Buffer {
  return Buffer.concat([stringField(1, name), intField(20, ATTR_TYPE_INTS), packedIntsField(8, values)]);
}

function node(opType: string, name: string, inputs: string[], outputs: string[], attributes: Buffer[] = []): Buffer {
  return Buffer.concat([
    ...inputs.map((input) => stringField(1, input)),
    ...outputs.map((output) => stringField(2, output)),
    stringField(3, name),
    stringField(4, opType),
    ...attributes.map((attribute) => messageField(5, [attribute])),
  ]);
}

/** TensorProto holding little-endian float32 values in raw_data. */
function floatInitializer(name: string, dims: number[], values: number[]): Buffer {
  const raw = Buffer.alloc(values.length * 4);
  values.forEach((value, index) => raw.writeFloatLE(value, index * 4));
  return Buffer.concat([packedIntsField(1, dims), intField(2, ELEM_TYPE_FLOAT), stringField(8, name), bytesField(9, raw)]);
}

/**
 * Deterministic conv weights in [-5/8, 5/8], exact in float32. The modulus 11 does not
 * divide the 27 weights of one filter, so the four filters differ from each other.
 */
function convWeights(): number[] {
  const count = WEIGHT_SHAPE.reduce((product, dim) => product * dim, 1);
  return Array.from({ length: count }, (_, index) => (((index * 5) % 11) - 5) / 8);
}

function graph(): Buffer {
  const nodes = [
    node('Conv', 'conv0', [INPUT_NAME, 'conv0.weight'], ['conv0_out'], [
      intsAttribute('kernel_shape', [3, 3]),
      intsAttribute('pads', [1, 1, 1, 1]),
    ]),
    node('Relu', 'relu0', ['conv0_out'], ['relu0_out']),
    node('GlobalAveragePool', 'pool0', ['relu0_out'], ['pool0_out']),
    node('Flatten', 'flatten0', ['pool0_out'], [OUTPUT_NAME]),
  ];
  return Buffer.concat([
    ...nodes.map((n) => messageField(1, [n])),
    stringField(2, 'tiny_convnet'),
    // IR >= 4: initializers need not be graph inputs, so Neo only sees input0 as an input.
    messageField(5, [floatInitializer('conv0.weight', WEIGHT_SHAPE, convWeights())]),
    messageField(11, [tensorValueInfo(INPUT_NAME, INPUT_SHAPE)]),
    messageField(12, [tensorValueInfo(OUTPUT_NAME, OUTPUT_SHAPE)]),
  ]);
}

/** The serialized ONNX ModelProto: Conv(3->4, 3x3, pad 1) -> Relu -> GlobalAveragePool -> Flatten. */
export function buildOnnxModel(): Buffer {
  const opsetImport = [stringField(1, ''), intField(2, OPSET_VERSION)]; // '' is the default ai.onnx domain
  return Buffer.concat([
    intField(1, IR_VERSION),
    stringField(2, 'cdk-sagemaker-neo'),
    messageField(7, [graph()]),
    messageField(8, opsetImport),
  ]);
}

// ---------------------------------------------------------------------------
// Reproducible tar.gz: fixed metadata so every run gives the same bytes.
// ---------------------------------------------------------------------------

const TAR_BLOCK = 512;

function writeOctal(header: Buffer, offset: number, width: number, value: number): void {
  header.write(value.toString(8).padStart(width - 1, '0') + '\0', offset, width, 'ascii');
}

/** A POSIX ustar header for a regular file owned by 0:0, mode 0644, mtime 0. */
function tarHeader(name: string, size: number): Buffer {
  if (!/^[\x21-\x7e]{1,99}$/.test(name)) {
    throw new Error(`tar entry name must be 1-99 printable ASCII characters: ${name}`);
  }
  const header = Buffer.alloc(TAR_BLOCK);
  header.write(name, 0, 100, 'ascii');
  writeOctal(header, 100, 8, 0o644); // mode
  writeOctal(header, 108, 8, 0); // uid
  writeOctal(header, 116, 8, 0); // gid
  writeOctal(header, 124, 12, size);
  writeOctal(header, 136, 12, 0); // mtime
  header.write('0', 156, 'ascii'); // typeflag: regular file
  header.write('ustar\0', 257, 'ascii');
  header.write('00', 263, 'ascii');
  // The checksum is computed with its own field read as eight spaces.
  header.fill(0x20, 148, 156);
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  header.write(checksum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return header;
}

/** An uncompressed tar holding one file, ended by the two zero blocks POSIX requires. */
export function buildTar(name: string, content: Buffer): Buffer {
  const padding = (TAR_BLOCK - (content.length % TAR_BLOCK)) % TAR_BLOCK;
  return Buffer.concat([tarHeader(name, content.length), content, Buffer.alloc(padding), Buffer.alloc(2 * TAR_BLOCK)]);
}

/** Offset of the OS byte in the gzip header (RFC 1952). */
const GZIP_OS_OFFSET = 9;
const GZIP_OS_UNIX = 3;

/** buildTar compressed with gzip level 9; the header has mtime 0 and no file name. */
export function buildTarGz(name: string, content: Buffer): Buffer {
  const gz = zlib.gzipSync(buildTar(name, content), { level: 9 });
  // zlib writes the OS it was built for; pin it so the bytes match on every platform.
  gz[GZIP_OS_OFFSET] = GZIP_OS_UNIX;
  return gz;
}
