import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * Names and shapes of the model's inputs (`InputConfig.DataInputConfig`).
 *
 * Shapes follow the framework's layout: NHWC for TENSORFLOW, NCHW for KERAS (even though Keras
 * models are saved NHWC), MXNET, ONNX, DARKNET and PYTORCH. XGBOOST needs none.
 */
export abstract class DataInputConfig {
  /**
   * Input names and their shapes.
   * @example DataInputConfig.fromShapes({ input0: [1, 3, 224, 224] })
   */
  public static fromShapes(shapes: { [inputName: string]: number[] }): DataInputConfig {
    return new JsonValue(shapes);
  }

  /**
   * Shapes only, in input order (PyTorch's list form).
   * @example DataInputConfig.fromShapeList([[1, 3, 224, 224]])
   */
  public static fromShapeList(shapes: number[][]): DataInputConfig {
    return new JsonValue(shapes);
  }

  /**
   * The JSON text exactly as SageMaker takes it, for forms not covered by the other factories
   * (CoreML ranges and enumerated shapes, Elastic Inference inputs).
   * @example DataInputConfig.fromJson('{"input_1": {"shape": ["1..10", 224, 224, 3]}}')
   */
  public static fromJson(json: string): DataInputConfig {
    return new JsonText(json);
  }

  /** Renders the JSON text for the request (tokens resolve at deploy time). */
  public abstract render(scope: Construct): string;
}

class JsonValue extends DataInputConfig {
  constructor(private readonly value: unknown) {
    super();
  }

  public render(scope: Construct): string {
    // toJsonString keeps token shapes (known at deploy time) as valid JSON.
    return Stack.of(scope).toJsonString(this.value);
  }
}

class JsonText extends DataInputConfig {
  constructor(private readonly json: string) {
    super();
  }

  public render(): string {
    return this.json;
  }
}
