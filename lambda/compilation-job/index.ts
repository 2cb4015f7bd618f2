// Entry point of the bundle: the onEvent and isComplete handlers of the Provider.
export { onEvent } from './on-event';
export { isComplete } from './is-complete';
