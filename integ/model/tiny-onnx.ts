/**
 * The tiny ONNX model in this folder, as a CompilationJob reads it: one input `input0` of shape
 * [1, 3, 8, 8] (NCHW). Shared by the integ apps, the example app, the tests and the benchmarks.
 */
import * as path from 'path';
import { CompilationJobProps, DataInputConfig, Framework, ModelInput } from '../../src';

export const TINY_ONNX_ARCHIVE = path.join(__dirname, 'model.tar.gz');

/** The model props of a job that compiles the tiny model (a new asset reference each time). */
export function tinyOnnxModel(): Pick<CompilationJobProps, 'model' | 'framework' | 'dataInputConfig'> {
  return {
    model: ModelInput.fromAsset(TINY_ONNX_ARCHIVE),
    framework: Framework.ONNX,
    dataInputConfig: DataInputConfig.fromShapes({ input0: [1, 3, 8, 8] }),
  };
}
