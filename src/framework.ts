import { ApiValue } from './api-value';

/**
 * The framework the model was trained with (`InputConfig.Framework`).
 *
 * The expected layout of `dataInputConfig` shapes depends on it: NHWC for TENSORFLOW; NCHW for
 * KERAS, MXNET, ONNX, DARKNET and PYTORCH; no shapes for XGBOOST.
 */
export class Framework extends ApiValue {
  public static readonly TENSORFLOW = new Framework('TENSORFLOW');
  public static readonly KERAS = new Framework('KERAS');
  public static readonly MXNET = new Framework('MXNET');
  public static readonly ONNX = new Framework('ONNX');
  public static readonly PYTORCH = new Framework('PYTORCH');
  public static readonly XGBOOST = new Framework('XGBOOST');
  public static readonly TFLITE = new Framework('TFLITE');
  public static readonly DARKNET = new Framework('DARKNET');
  public static readonly SKLEARN = new Framework('SKLEARN');

  /**
   * A framework this library has no constant for yet.
   * @param name the API value, for example 'PYTORCH'
   */
  public static of(name: string): Framework {
    return new Framework(name);
  }

  private constructor(name: string) {
    super(name, 'Framework', '^[A-Z][A-Z0-9_]*$');
  }
}
