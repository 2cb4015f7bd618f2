import { Token } from 'aws-cdk-lib';
import { describeTarget, JobContext, targetKnown } from './job-context';

/**
 * The rules of `InputConfig.DataInputConfig`, as the API reference documents them (see
 * ../shared/reference: DescribeCompilationJob's InputConfig), for the parsed JSON value. The
 * typed factories of DataInputConfig and `DataInputConfig.fromJson` are both checked here; keys
 * of a Core ML input this library does not know pass through unchecked.
 *
 * - every framework: a dictionary of input name to shape (positive integers);
 * - PYTORCH also: a list of shapes, in input order;
 * - TargetDevice.COREML: an input may be an object with `shape` (sizes, "min..max" ranges, or a
 *   list of enumerated shapes), `default_shape`, `type` ("Image" or "Tensor"), and `bias` and
 *   `scale`, which an Image needs and a Tensor does not take.
 */
export function dataInputProblems(config: unknown, context: JobContext): string[] {
  if (Token.isUnresolved(config)) return [];
  if (Array.isArray(config) && config.length > 0 && config.every((d) => typeof d === 'number')) {
    // One shape written without its list of inputs: one problem, not one per number.
    const shape = JSON.stringify(config);
    return [`${shape} is one shape, not a list of inputs: name the input, {"input0": ${shape}} ` +
      `(DataInputConfig.fromShapes({ input0: ${shape} })), or for PYTORCH list the shapes in input order, [${shape}]`];
  }
  if (Array.isArray(config)) {
    return [
      ...(context.framework === undefined || context.framework === 'PYTORCH'
        ? [] : [`the list form (shapes in input order) is for PYTORCH only (framework is ${context.framework})`]),
      ...(config.length === 0 ? ['needs at least one input'] : []),
      ...config.flatMap((input, i) => inputProblems(`input ${i}`, input, context)),
    ];
  }
  if (config === null || typeof config !== 'object') {
    return [`must be a JSON object of input names to shapes, or for PYTORCH a list of shapes (got ${JSON.stringify(config)})`];
  }
  const inputs = Object.entries(config);
  return [
    ...(inputs.length === 0 ? ['needs at least one input'] : []),
    ...inputs.flatMap(([name, input]) => inputProblems(`input '${name}'`, input, context)),
  ];
}

function inputProblems(what: string, input: unknown, context: JobContext): string[] {
  if (Token.isUnresolved(input)) return [];
  if (Array.isArray(input)) return shapeProblems(what, input);
  if (input !== null && typeof input === 'object') {
    const onCoreMl = !targetKnown(context) || context.device === 'coreml';
    return onCoreMl ? coreMlInputProblems(what, input as Record<string, unknown>)
      : [`${what}: an object input (a Core ML input) is for TargetDevice.COREML only (target is ${describeTarget(context)})`];
  }
  return [`${what}: must be a shape, a list of positive integers (got ${JSON.stringify(input)})`];
}

function shapeProblems(what: string, shape: unknown[]): string[] {
  if (shape.length === 0) return [`${what}: a shape needs at least one dimension`];
  return shape.every(isSize) ? [] : [`${what}: dimensions must be positive integers (got ${JSON.stringify(shape)})`];
}

function isSize(dimension: unknown): boolean {
  return Token.isUnresolved(dimension) || (Number.isInteger(dimension) && (dimension as number) > 0);
}

/** A flexible dimension of a Core ML shape: "min..max", 1 <= min <= max. */
function isRange(dimension: unknown): boolean {
  const range = typeof dimension === 'string' ? /^(\d+)\.\.(\d+)$/.exec(dimension) : null;
  return range !== null && Number(range[1]) >= 1 && Number(range[1]) <= Number(range[2]);
}

function coreMlInputProblems(what: string, input: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const shape = input.shape;
  if (!Array.isArray(shape) || shape.length === 0) {
    problems.push(`${what}: a Core ML input needs a shape (got ${JSON.stringify(shape)})`);
  } else if (shape.some(Array.isArray)) {
    // Enumerated shapes: the input takes any one of them.
    shape.forEach((s, i) => problems.push(...(Array.isArray(s) ? shapeProblems(`${what} enumerated shape ${i}`, s)
      : [`${what}: enumerated shapes are all lists (shape ${i} is ${JSON.stringify(s)})`])));
  } else {
    const bad = shape.filter((d) => !isSize(d) && !isRange(d));
    if (bad.length > 0) problems.push(`${what}: a dimension is a positive integer or a range "min..max" (got ${bad.map((d) => JSON.stringify(d)).join(', ')})`);
  }
  if (input.default_shape !== undefined) {
    problems.push(...(Array.isArray(input.default_shape) ? shapeProblems(`${what} default_shape`, input.default_shape)
      : [`${what}: default_shape must be a shape (got ${JSON.stringify(input.default_shape)})`]));
  }
  if (input.type !== undefined && input.type !== 'Image' && input.type !== 'Tensor') {
    problems.push(`${what}: type must be "Image" or "Tensor" (got ${JSON.stringify(input.type)})`);
  }
  const image = input.type === 'Image';
  if (image && (input.bias === undefined || input.scale === undefined)) problems.push(`${what}: an Image input needs bias and scale`);
  if (!image && (input.bias !== undefined || input.scale !== undefined)) problems.push(`${what}: bias and scale are for Image inputs only`);
  if (input.bias !== undefined && !(Array.isArray(input.bias) && input.bias.length > 0 && input.bias.every((b) => Token.isUnresolved(b) || typeof b === 'number'))) {
    problems.push(`${what}: bias must be a list of numbers (got ${JSON.stringify(input.bias)})`);
  }
  if (input.scale !== undefined && !Token.isUnresolved(input.scale) && typeof input.scale !== 'number') {
    problems.push(`${what}: scale must be a number (got ${JSON.stringify(input.scale)})`);
  }
  return problems;
}
