import { Token } from 'aws-cdk-lib';
import { checkApiValue, UPPER_CASE_VALUE } from './private/api-value';

/**
 * The framework the model was trained with (`InputConfig.Framework`).
 *
 * The expected layout of `dataInputConfig` shapes depends on it: NHWC for TENSORFLOW; NCHW for
 * KERAS, MXNET, ONNX, DARKNET and PYTORCH; no shapes for XGBOOST.
 */
export class Framework {
  /** TensorFlow: a SavedModel or a frozen graph. */
  public static readonly TENSORFLOW = new Framework('TENSORFLOW');
  /** Keras: an `.h5` model, saved channel-last (NHWC). */
  public static readonly KERAS = new Framework('KERAS');
  /** Apache MXNet: a symbol file and its parameters. */
  public static readonly MXNET = new Framework('MXNET');
  /** ONNX (Open Neural Network Exchange). */
  public static readonly ONNX = new Framework('ONNX');
  /** PyTorch: a `.pt` or `.pth` model file. */
  public static readonly PYTORCH = new Framework('PYTORCH');
  /** XGBoost: a booster model, which takes no input shapes. */
  public static readonly XGBOOST = new Framework('XGBOOST');
  /** TensorFlow Lite: a `.tflite` flat buffer. */
  public static readonly TFLITE = new Framework('TFLITE');
  /** Darknet: a `.cfg` network and its `.weights` (for example YOLO). */
  public static readonly DARKNET = new Framework('DARKNET');
  /** scikit-learn: a pickled estimator. */
  public static readonly SKLEARN = new Framework('SKLEARN');

  /**
   * A framework by name: the API's value or the SageMaker Python SDK's lower-case name
   * ('pytorch' sends 'PYTORCH'), also for frameworks this library has no constant for yet.
   * @param name the framework's name, for example 'PYTORCH' or 'pytorch'
   */
  public static of(name: string): Framework {
    return new Framework(Token.isUnresolved(name) ? name : name.toUpperCase());
  }

  /** The API value, for example 'PYTORCH'. */
  public readonly name: string;

  private constructor(name: string) {
    this.name = checkApiValue('Framework', name, UPPER_CASE_VALUE);
  }

  /** The API value. */
  public toString(): string {
    return this.name;
  }
}
