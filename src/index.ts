export * from './compilation-cache';
export * from './compilation-job';
export * from './compiler-options';
export * from './data-input-config';
export * from './edge-model-component';
export * from './framework';
export * from './model-input';
export * from './target';
