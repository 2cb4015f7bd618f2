/**
 * DataInputConfig: one set of rules (src/private/data-input-rules.ts) checks the typed factories
 * and `fromJson` alike. Each rule of the reference is tested through the JSON escape hatch, and
 * through the typed factory where one can express the mistake.
 */
import { CompilationJobProps, CoreMlInput, CoreMlInputType, DataInputConfig, Framework, TargetDevice } from '../src';
import { accepts, device, rejectsEach } from './job-props';

const json = (text: string) => DataInputConfig.fromJson(text);
const COREML: Partial<CompilationJobProps> = { framework: Framework.TENSORFLOW, target: device(TargetDevice.COREML) };
const coreml = (input: CoreMlInput): Partial<CompilationJobProps> => ({ ...COREML, dataInputConfig: DataInputConfig.coreml({ input_1: input }) });
const coremlJson = (input: object): Partial<CompilationJobProps> => ({ ...COREML, dataInputConfig: json(JSON.stringify({ input_1: input })) });

describe('when dataInputConfig is needed', () => {
  rejectsEach([
    ['required for ONNX', { dataInputConfig: undefined }, 'dataInputConfig: is required for ONNX models'],
    ['required for PyTorch before 2.0 on ml_*', { framework: Framework.PYTORCH, frameworkVersion: '1.13', dataInputConfig: undefined }, 'dataInputConfig: is required for PYTORCH models'],
    ['required for PyTorch 2.0 on edge targets', { framework: Framework.PYTORCH, frameworkVersion: '2.0', target: device(TargetDevice.RASP4B), dataInputConfig: undefined }, 'dataInputConfig: is required for PYTORCH models'],
  ]);
});

describe('the JSON text', () => {
  rejectsEach([
    ['at most 16384 characters', { dataInputConfig: json(`{"x": [${'1,'.repeat(8200)}1]}`) }, 'dataInputConfig: must be 1 to 16384 characters of JSON (got 16410)'],
    ['valid JSON', { dataInputConfig: json("{'input0': [1,3,224,224]}") }, "dataInputConfig: must be valid JSON (got {'input0': [1,3,224,224]})"],
    ['a dictionary or a list', { dataInputConfig: json('"input0"') }, 'dataInputConfig: must be a JSON object of input names to shapes, or for PYTORCH a list of shapes (got "input0")'],
  ]);
});

describe('shapes', () => {
  rejectsEach([
    ['at least one input (typed)', { dataInputConfig: DataInputConfig.fromShapes({}) }, 'dataInputConfig: needs at least one input'],
    ['at least one input (JSON)', { dataInputConfig: json('{}') }, 'dataInputConfig: needs at least one input'],
    ['dimensions are positive (typed)', { dataInputConfig: DataInputConfig.fromShapes({ input0: [1, 3, 0, 224] }) }, "dataInputConfig: input 'input0': dimensions must be positive integers (got [1,3,0,224])"],
    ['dimensions are integers (JSON)', { dataInputConfig: json('{"input0": [1, 3, 22.5, 224]}') }, "dataInputConfig: input 'input0': dimensions must be positive integers (got [1,3,22.5,224])"],
    ['dimensions are numbers (JSON)', { dataInputConfig: json('{"input0": [1, "3", 224, 224]}') }, "input 'input0': dimensions must be positive integers"],
    ['a shape has a dimension', { dataInputConfig: DataInputConfig.fromShapes({ input0: [] }) }, "dataInputConfig: input 'input0': a shape needs at least one dimension"],
    ['a shape is a list', { dataInputConfig: json('{"input0": 224}') }, "dataInputConfig: input 'input0': must be a shape, a list of positive integers (got 224)"],
    ['the list form is PyTorch only (typed)', { dataInputConfig: DataInputConfig.fromShapeList([[1, 3, 224, 224]]) }, 'dataInputConfig: the list form (shapes in input order) is for PYTORCH only (framework is ONNX)'],
    ['the list form is PyTorch only (JSON)', { framework: Framework.MXNET, dataInputConfig: json('[[1, 3, 224, 224]]') }, 'the list form (shapes in input order) is for PYTORCH only (framework is MXNET)'],
    ['the list form needs a shape', { framework: Framework.PYTORCH, dataInputConfig: DataInputConfig.fromShapeList([]) }, 'dataInputConfig: needs at least one input'],
    ['Core ML inputs need the coreml target (typed)', { dataInputConfig: DataInputConfig.coreml({ input_1: { shape: ['1', '224', '224', '3'] } }) }, "dataInputConfig: input 'input_1': an object input (a Core ML input) is for TargetDevice.COREML only (target is ml_c5)"],
    ['Core ML inputs need the coreml target (JSON)', { dataInputConfig: json('{"input_1": {"shape": [1, 224, 224, 3]}}') }, 'an object input (a Core ML input) is for TargetDevice.COREML only (target is ml_c5)'],
  ]);
});

describe('Core ML inputs', () => {
  rejectsEach([
    ['Core ML converts TensorFlow and PyTorch models only', { ...coreml({ shape: ['1', '224', '224', '3'] }), framework: Framework.ONNX }, 'framework: Core ML (TargetDevice.COREML) converts TENSORFLOW and PYTORCH models only (framework is ONNX)'],
    ['shape or enumeratedShapes, not both (typed only)', coreml({ shape: ['1', '224', '224', '3'], enumeratedShapes: [[1, 224, 224, 3]] }), "dataInputConfig: input 'input_1': takes shape or enumeratedShapes, not both"],
    ['a shape is required (typed)', coreml({ defaultShape: [1, 224, 224, 3] }), "dataInputConfig: input 'input_1': a Core ML input needs a shape (got undefined)"],
    ['a shape is required (JSON)', coremlJson({ default_shape: [1, 224, 224, 3] }), "input 'input_1': a Core ML input needs a shape"],
    ['a range is min..max (typed)', coreml({ shape: ['10..1', '224', '224', '3'] }), "dataInputConfig: input 'input_1': a dimension is a positive integer or a range \"min..max\" (got \"10..1\")"],
    ['a range is min..max (JSON)', coremlJson({ shape: ['1-10', 224, 224, 3] }), 'a dimension is a positive integer or a range "min..max" (got "1-10")'],
    ['enumerated shapes are positive (typed)', coreml({ enumeratedShapes: [[1, 224, 224, 3], [1, -160, 160, 3]] }), "dataInputConfig: input 'input_1' enumerated shape 1: dimensions must be positive integers"],
    ['enumerated shapes are all lists (JSON)', coremlJson({ shape: [[1, 224, 224, 3], 160] }), "input 'input_1': enumerated shapes are all lists (shape 1 is 160)"],
    ['default_shape is a shape (JSON)', coremlJson({ shape: ['1..10', 224, 224, 3], default_shape: [0, 224, 224, 3] }), "input 'input_1' default_shape: dimensions must be positive integers"],
    ['type is Image or Tensor (JSON)', coremlJson({ shape: [1, 224, 224, 3], type: 'image' }), 'input \'input_1\': type must be "Image" or "Tensor" (got "image")'],
    ['an Image input needs bias and scale (typed)', coreml({ shape: ['1', '224', '224', '3'], type: CoreMlInputType.IMAGE }), "dataInputConfig: input 'input_1': an Image input needs bias and scale"],
    ['an Image input needs bias and scale (JSON)', coremlJson({ shape: [1, 224, 224, 3], type: 'Image', bias: [-1, -1, -1] }), "input 'input_1': an Image input needs bias and scale"],
    ['bias and scale are for Image inputs (typed)', coreml({ shape: ['1', '224', '224', '3'], bias: [-1, -1, -1] }), "dataInputConfig: input 'input_1': bias and scale are for Image inputs only"],
    ['bias and scale are for Image inputs (JSON)', coremlJson({ shape: [1, 224, 224, 3], type: 'Tensor', scale: 0.5 }), "input 'input_1': bias and scale are for Image inputs only"],
    ['bias is a list of numbers', coremlJson({ shape: [1, 224, 224, 3], type: 'Image', bias: -1, scale: 0.5 }), "input 'input_1': bias must be a list of numbers (got -1)"],
    ['scale is a number', coremlJson({ shape: [1, 224, 224, 3], type: 'Image', bias: [-1], scale: '0.5' }), "input 'input_1': scale must be a number (got \"0.5\")"],
  ]);
});

describe('accepted', () => {
  test.each<[string, Partial<CompilationJobProps>]>([
    ['XGBOOST needs none', { framework: Framework.XGBOOST, dataInputConfig: undefined }],
    ['PyTorch 2.0 on ml_* needs none', { framework: Framework.PYTORCH, frameworkVersion: '2.0', dataInputConfig: undefined }],
    ['PyTorch list form', { framework: Framework.PYTORCH, dataInputConfig: json('[[1,3,224,224], [1,3,224,224]]') }],
    ['Elastic Inference FrozenGraph tensor names', { framework: Framework.TENSORFLOW, target: device(TargetDevice.ML_EIA2), dataInputConfig: json('{"input_tensor:0": [1, 224, 224, 3]}') }],
    ['Core ML flexible image input (typed)', coreml({ shape: ['1..10', '224', '224', '3'], defaultShape: [1, 224, 224, 3], type: CoreMlInputType.IMAGE, bias: [-1, -1, -1], scale: 0.007843137255 })],
    ['the reference\'s Core ML enumerated image input (JSON)', coremlJson({ shape: [[1, 224, 224, 3], [1, 160, 160, 3]], default_shape: [1, 224, 224, 3], type: 'Image', bias: [-1, -1, -1], scale: 0.007843137255 })],
    ['the reference\'s Core ML list form for PyTorch (JSON)', { framework: Framework.PYTORCH, target: device(TargetDevice.COREML), dataInputConfig: json('[{"shape": [[1,3,224,224], [1,3,160,160]], "default_shape": [1,3,224,224]}]') }],
    ['Core ML list form (typed)', { framework: Framework.PYTORCH, target: device(TargetDevice.COREML), dataInputConfig: DataInputConfig.coremlList([{ enumeratedShapes: [[1, 3, 224, 224], [1, 3, 160, 160]], defaultShape: [1, 3, 224, 224] }]) }],
    ['unknown keys of a Core ML input pass through', coremlJson({ shape: [1, 224, 224, 3], future_key: true })],
  ])('%s', (_, props) => {
    accepts(props);
  });
});
