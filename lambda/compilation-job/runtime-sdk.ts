// Clients of the AWS SDK that the Lambda runtime ships. The rare paths (a local model's copy, the
// check before a late create, the long path) load theirs on first use instead of bundling it.

/**
 * A loader of one runtime client: its module and one client, made on the first call. The caller
 * passes `() => require('<package>')`: `require`, not `import()`, because ESM resolution ignores
 * NODE_PATH, where Lambda puts its SDK, and a literal package name, so esbuild keeps it external.
 */
export function runtimeClient<M, C>(load: () => M, create: (module: M) => C): () => { module: M; client: C } {
  let loaded: { module: M; client: C } | undefined;
  return () => {
    if (!loaded) {
      const module = load();
      loaded = { module, client: create(module) };
    }
    return loaded;
  };
}
