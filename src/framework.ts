import { Token } from 'aws-cdk-lib';
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
   * A framework by name: one this library has no constant for yet, or a name as the SageMaker
   * Python SDK spells it (`Framework.of('pytorch')` sends `PYTORCH`).
   * @param name the API value, for example 'PYTORCH', in any case
   */
  public static of(name: string): Framework {
    return new Framework(Token.isUnresolved(name) ? name : name.toUpperCase());
  }

  private constructor(name: string) {
    super(name, 'Framework', '^[A-Z][A-Z0-9_]*$');
  }
}
