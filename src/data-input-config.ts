import { Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { dataInputProblems } from './private/data-input-rules';
import { JobContext } from './private/job-context';

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
 * (`{ 'input_tensor:0': [1, 224, 224, 3] }`). Every form, typed or from JSON, is checked at
 * synth time against the job's framework and target by the same rules.
 */
export class DataInputConfig {
  /**
   * Input names and their shapes (positive integers).
   * @param shapes each input's name and shape
   * @example DataInputConfig.fromShapes({ input0: [1, 3, 224, 224] })
   */
  public static fromShapes(shapes: { [inputName: string]: number[] }): DataInputConfig {
    return new DataInputConfig(shapes);
  }

  /**
   * Shapes only, in input order: PyTorch's list form.
   * @param shapes each input's shape, in input order
   * @example DataInputConfig.fromShapeList([[1, 3, 224, 224]])
   */
  public static fromShapeList(shapes: number[][]): DataInputConfig {
    return new DataInputConfig(shapes);
  }

  /**
   * Core ML inputs by name: flexible (range) shapes, enumerated shapes, image inputs.
   * @param inputs each input's name and description
   * @example DataInputConfig.coreml({ input_1: { shape: ['1..10', '224', '224', '3'], defaultShape: [1, 224, 224, 3] } })
   */
  public static coreml(inputs: { [inputName: string]: CoreMlInput }): DataInputConfig {
    return new DataInputConfig(
      Object.fromEntries(Object.entries(inputs).map(([name, input]) => [name, renderCoreMl(input)])),
      Object.entries(inputs).flatMap(([name, input]) => oneShapeForm(`input '${name}'`, input)));
  }

  /**
   * Core ML inputs in order (the list form, for PyTorch models).
   * @param inputs each input's description, in input order
   * @example DataInputConfig.coremlList([{ enumeratedShapes: [[1, 3, 224, 224], [1, 3, 160, 160]], defaultShape: [1, 3, 224, 224] }])
   */
  public static coremlList(inputs: CoreMlInput[]): DataInputConfig {
    return new DataInputConfig(inputs.map(renderCoreMl), inputs.flatMap((input, i) => oneShapeForm(`input ${i}`, input)));
  }

  /**
   * The JSON text exactly as SageMaker takes it, for any other form. Keys this library does not
   * know pass through; the forms it knows are checked as strictly as the typed factories.
   * @param json the configuration as JSON
   * @example DataInputConfig.fromJson('{"input_1": {"shape": ["1..10", 224, 224, 3]}}')
   */
  public static fromJson(json: string): DataInputConfig {
    return new DataInputConfig(parseJson(json), [], json);
  }

  /**
   * @param value the configuration (undefined when the text is not JSON or a token)
   * @param argumentProblems mistakes in the arguments of a typed factory that its JSON cannot show
   * @param text the JSON text, when the user wrote it
   */
  private constructor(
    private readonly value: unknown,
    private readonly argumentProblems: string[] = [],
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
    if (this.value === undefined) {
      return this.text === undefined || Token.isUnresolved(this.text) ? [] : [`must be valid JSON (got ${this.text})`];
    }
    return [...this.argumentProblems, ...dataInputProblems(this.value, context)];
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

/** The parsed JSON, or undefined when it is not JSON (or a token, checked at deploy time). */
function parseJson(json: string): unknown {
  if (Token.isUnresolved(json)) return undefined;
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

/** Both typed fields render as the one `shape` key, so only the typed form can tell them apart. */
function oneShapeForm(what: string, input: CoreMlInput): string[] {
  return input.shape !== undefined && input.enumeratedShapes !== undefined ? [`${what}: takes shape or enumeratedShapes, not both`] : [];
}

function renderCoreMl(input: CoreMlInput): Record<string, unknown> {
  // "224" is a size, "1..10" a range: sizes are sent as numbers.
  const dims = input.shape?.map((d) => (/^\d+$/.test(d) ? Number(d) : d));
  return {
    shape: dims ?? input.enumeratedShapes,
    default_shape: input.defaultShape,
    type: input.type,
    bias: input.bias,
    scale: input.scale,
  };
}
