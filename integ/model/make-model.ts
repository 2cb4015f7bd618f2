// Writes the tiny ONNX model used by the integration tests, and its SageMaker Neo input archive.
//
// Model: input0 float32 [1, 3, 8, 8] -> Conv (4 filters, 3x3, pads 1, fixed weights) -> Relu
//        -> GlobalAveragePool -> Flatten -> output0 float32 [1, 4]; ONNX IR 7, opset 13.
// Neo:   Framework 'ONNX', DataInputConfig '{"input0":[1,3,8,8]}' (NCHW).
// Files: model.onnx, and model.tar.gz holding just model.onnx (the archive Neo reads from S3).
//        Both are byte-for-byte reproducible; test/model.test.ts fails when they are stale.
//
// Regenerate from the repository root:
//   npx ts-node --project tsconfig.dev.json integ/model/make-model.ts
import * as fs from 'fs';
import * as path from 'path';
import { buildOnnxModel, buildTarGz } from './model-builder';

const model = buildOnnxModel();
const archive = buildTarGz('model.onnx', model);

fs.writeFileSync(path.join(__dirname, 'model.onnx'), model);
fs.writeFileSync(path.join(__dirname, 'model.tar.gz'), archive);
console.log(`model.onnx: ${model.length} bytes; model.tar.gz: ${archive.length} bytes`);
