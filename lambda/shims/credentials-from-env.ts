/**
 * Stands in for `@aws-sdk/credential-provider-node` in the handler bundle (esbuild --alias).
 *
 * Lambda always hands a function its role's credentials in environment variables, so the SDK's
 * default chain (INI files, SSO, web identity, IMDS, and the STS/SSO clients they bring) is dead
 * weight there: without it the bundle is about half the size and starts faster (docs/benchmarks.md).
 */
export { fromEnv as defaultProvider } from '@aws-sdk/credential-provider-env';
