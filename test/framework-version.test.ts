import { Lazy } from 'aws-cdk-lib';
import { judgeFrameworkVersion, shortFrameworkVersion } from '../src/private/framework-version';

describe('shortFrameworkVersion: Neo reads major.minor', () => {
  test.each([
    ['1.6.1', '1.6'], ['2.15.1', '2.15'], ['1.15.0', '1.15'], ['2.0', '2.0'], ['1.8', '1.8'], ['2.0.1rc', '2.0.1rc'],
  ])('%s -> %s', (given, sent) => expect(shortFrameworkVersion(given)).toBe(sent));

  test('a token is sent as it is', () => {
    const token = Lazy.string({ produce: () => '1.6.1' });
    expect(shortFrameworkVersion(token)).toBe(token);
  });
});

describe('judgeFrameworkVersion: which targets take a version', () => {
  test.each([
    ['PYTORCH', 'ml_c4'], ['TENSORFLOW', 'ml_c5'], ['PYTORCH', 'ml_g4dn'], ['MXNET', 'ml_inf1'],
    ['PYTORCH', 'ml_inf2'], ['TENSORFLOW', 'ml_trn1'], ['PYTORCH', 'rasp3b'], ['TENSORFLOW', 'jetson_nano'],
  ])('%s on %s takes it', (framework, device) => {
    expect(judgeFrameworkVersion(framework, '1.6.1', device)).toEqual({ version: '1.6' });
  });

  test.each(['amba_cv2', 'amba_cv22', 'amba_cv25', 'imx8mplus', 'jacinto_tda4vm', 'coreml', 'sitara_am57x', 'lambda'])(
    '%s refuses any version: an error that says to remove it', (device) => {
      const verdict = judgeFrameworkVersion('PYTORCH', '1.6.1', device);
      expect(verdict.error).toMatch(new RegExp(`TargetDevice ${device}.*Remove frameworkVersion`));
    });

  test.each([['MXNET', 'ml_c4'], ['TFLITE', 'ml_c5'], ['MXNET', 'ml_inf2'], ['TFLITE', 'rasp4b']])(
    '%s on %s may be refused: a warning, the version is still sent', (framework, device) => {
      const verdict = judgeFrameworkVersion(framework, '1.8.0', device);
      expect(verdict).toEqual({ version: '1.8', warning: expect.stringContaining(`${framework} on TargetDevice ${device}`) });
      expect(verdict.error).toBeUndefined();
    });

  test('a target platform takes any version', () => {
    expect(judgeFrameworkVersion('MXNET', '1.8.0', undefined)).toEqual({ version: '1.8' });
  });

  test('tokens are never judged', () => {
    const device = Lazy.string({ produce: () => 'amba_cv2' });
    expect(judgeFrameworkVersion('PYTORCH', '1.6', device)).toEqual({ version: '1.6' });
  });
});
