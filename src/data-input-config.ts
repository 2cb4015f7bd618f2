import { Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ContextCheck, JobContext } from './private/job-context';

/** Type of a Core ML input. */
export enum CoreMlInputType {
  /** A multi-array (the converter's default). */
  TENSOR = 'Tensor',
  /** An image: needs `bias` and `scale`. */
  IMAGE = 'Image',
}

/** One input of a Core ML model (TargetDevice.COREML). */
export interface CoreMlInput {
  /**
   * A shape whose dimensions are sizes or ranges such as "1..10" (flexible shapes), e.g.
   * ['1..10', '224', '224', '3']. Exactly one of `shape` and `enumeratedShapes`.
   * @default - none
   */
  readonly shape?: string[];
  /**
   * The shapes the input may take (enumerated shapes), e.g. [[1, 224, 224, 3], [1, 160, 160, 3]].
   * @default - none
   */
  readonly enumeratedShapes?: number[][];
  /**
   * The default shape within the range or enumeration.
   * @default - the converter's choice
   */
  readonly defaultShape?: number[];
  /**
   * The input type.
   * @default CoreMlInputType.TENSOR
   */
  readonly type?: CoreMlInputType;
  /**
   * Bias vector of an IMAGE input.
   * @default - none (required for IMAGE)
   */
  readonly bias?: number[];
  /**
   * Scale factor of an IMAGE input.
   * @default - none (required for IMAGE)
   */
  readonly scale?: number;
}

/**
 * Names and shapes of the model's inputs (`InputConfig.DataInputConfig`).
 *
 * Shapes follow the framework's layout: NHWC for TENSORFLOW, NCHW for KERAS (even though Keras
 * models are saved NHWC), MXNET, ONNX, DARKNET and PYTORCH. XGBOOST needs none, nor does PyTorch
 * 2.0 or later on ml_* targets. For Elastic Inference (ml_eia2) use `fromShapes` with the
 * SavedModel's input names (`{ inputs: [1, 224, 224, 3] }`) or the FrozenGraph's tensor names
 * (`{ 'input_tensor:0': [1, 224, 224, 3] }`).
 */
export class DataInputConfig {
  /**
   * Input names and their shapes (positive integers).
   * @example DataInputConfig.fromShapes({ input0: [1, 3, 224, 224] })
   */
  public static fromShapes(shapes: { [inputName: string]: number[] }): DataInputConfig {
    return new DataInputConfig(shapes, () => [
      ...(Object.keys(shapes).length === 0 ? ['fromShapes needs at least one input'] : []),
      ...Object.entries(shapes).flatMap(([name, shape]) => shapeProblems(`input '${name}'`, shape)),
    ]);
  }

  /**
   * Shapes only, in input order: PyTorch's list form.
   * @example DataInputConfig.fromShapeList([[1, 3, 224, 224]])
   */
  public static fromShapeList(shapes: number[][]): DataInputConfig {
    return new DataInputConfig(shapes, (context) => [
      ...(context.framework === undefined || context.framework === 'PYTORCH' ? [] : [`the list form (fromShapeList) is for PYTORCH only (framework is ${context.framework})`]),
      ...(shapes.length === 0 ? ['fromShapeList needs at least one shape'] : []),
      ...shapes.flatMap((shape, i) => shapeProblems(`shape ${i}`, shape)),
    ]);
  }

  /**
   * Core ML inputs by name: flexible (range) shapes, enumerated shapes, image inputs.
   * @example DataInputConfig.coreml({ input_1: { shape: ['1..10', '224', '224', '3'], defaultShape: [1, 224, 224, 3] } })
   */
  public static coreml(inputs: { [inputName: string]: CoreMlInput }): DataInputConfig {
    return new DataInputConfig(
      Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, renderCoreMl(input)])),
      (context) => [
        ...coreMlTargetProblems(context),
        ...Object.entries(inputs).flatMap(([name, input]) => coreMlProblems(`input '${name}'`, input)),
      ]);
  }

  /**
   * Core ML inputs in order (the list form, for PyTorch models).
   * @example DataInputConfig.coremlList([{ enumeratedShapes: [[1, 3, 224, 224], [1, 3, 160, 160]], defaultShape: [1, 3, 224, 224] }])
   */
  public static coremlList(inputs: CoreMlInput[]): DataInputConfig {
    return new DataInputConfig(inputs.map(renderCoreMl), (context) => [
      ...coreMlTargetProblems(context),
      ...inputs.flatMap((input, i) => coreMlProblems(`input ${i}`, input)),
    ]);
  }

  /**
   * The JSON text exactly as SageMaker takes it, for any other form.
   * @example DataInputConfig.fromJson('{"input_1": {"shape": ["1..10", 224, 224, 3]}}')
   */
  public static fromJson(json: string): DataInputConfig {
    return new DataInputConfig(undefined, () => (Token.isUnresolved(json) || isJson(json) ? [] : [`must be valid JSON (got ${json})`]), json);
  }

  private constructor(
    private readonly value: unknown,
    private readonly formCheck: ContextCheck,
    private readonly text?: string) {}

  /**
   * Renders the JSON text for the request (tokens resolve at deploy time).
   * @internal
   */
  public _render(scope: Construct): string {
    // toJsonString keeps token shapes (known at deploy time) as valid JSON.
    return this.text ?? Stack.of(scope).toJsonString(this.value);
  }

  /**
   * The problems of this configuration for a job, each naming the rule.
   * @internal
   */
  public _problems(context: JobContext): string[] {
    return this.formCheck(context);
  }

  /**
   * Length of the JSON text, when it is known at synth time.
   * @internal
   */
  public _length(): number | undefined {
    if (this.text !== undefined) return Token.isUnresolved(this.text) ? undefined : this.text.length;
    return containsToken(this.value) ? undefined : JSON.stringify(this.value).length;
  }
}

function containsToken(value: unknown): boolean {
  if (Token.isUnresolved(value)) return true;
  if (Array.isArray(value)) return value.some(containsToken);
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([k, v]) => Token.isUnresolved(k) || containsToken(v));
  return false;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function shapeProblems(what: string, shape: number[]): string[] {
  if (Token.isUnresolved(shape)) return [];
  if (shape.length === 0) return [`${what}: a shape needs at least one dimension`];
  const bad = shape.filter((d) => !Token.isUnresolved(d) && !(Number.isInteger(d) && d > 0));
  return bad.length === 0 ? [] : [`${what}: dimensions must be positive integers (got ${JSON.stringify(shape)})`];
}

function renderCoreMl(input: CoreMlInput): Record<string, unknown> {
  const dims = input.shape?.map((d) => (/^\d+$/.test(d) ? Number(d) : d));
  return {
    shape: dims ?? input.enumeratedShapes,
    default_shape: input.defaultShape,
    type: input.type,
    bias: input.bias,
    scale: input.scale,
  };
}

function coreMlTargetProblems(context: JobContext): string[] {
  return context.device === undefined || context.device === 'coreml'
    ? [] : [`the Core ML forms are for TargetDevice.COREML only (target is ${context.device ?? 'a platform'})`];
}

function coreMlProblems(what: string, input: CoreMlInput): string[] {
  const problems: string[] = [];
  if ((input.shape === undefined) === (input.enumeratedShapes === undefined)) {
    problems.push(`${what}: exactly one of shape and enumeratedShapes`);
  }
  for (const dim of input.shape ?? []) {
    const range = /^(\d+)\.\.(\d+)$/.exec(dim);
    const ok = Token.isUnresolved(dim) || (/^\d+$/.test(dim) && Number(dim) > 0) || (range && Number(range[1]) >= 1 && Number(range[1]) <= Number(range[2]));
    if (!ok) problems.push(`${what}: a dimension is a positive integer or a range 'min..max' (got '${dim}')`);
  }
  (input.enumeratedShapes ?? []).forEach((shape, i) => problems.push(...shapeProblems(`${what} enumerated shape ${i}`, shape)));
  if (input.defaultShape) problems.push(...shapeProblems(`${what} defaultShape`, input.defaultShape));
  const image = input.type === CoreMlInputType.IMAGE;
  if (image && (input.bias === undefined || input.scale === undefined)) problems.push(`${what}: an IMAGE input needs bias and scale`);
  if (!image && (input.bias !== undefined || input.scale !== undefined)) problems.push(`${what}: bias and scale are for IMAGE inputs only`);
  return problems;
}
