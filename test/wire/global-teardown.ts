/** jest global teardown: stops the moto_server global setup started (its whole process group). */
import { MOTO_ENDPOINT_ENV, MotoServer } from './moto';

/** Where global setup leaves the server for teardown (both run in jest's main process). */
export const MOTO_SERVER_KEY = '__cdkSageMakerNeoMotoServer';

type Registry = typeof globalThis & { [MOTO_SERVER_KEY]?: MotoServer };

export default async function globalTeardown(): Promise<void> {
  const registry = globalThis as Registry;
  const server = registry[MOTO_SERVER_KEY];
  if (!server) return;
  delete registry[MOTO_SERVER_KEY];
  delete process.env[MOTO_ENDPOINT_ENV];
  await server.stop();
}
