export * from './dependencies';
export * from './cognito-errors';
export * from './secret-hash';
export * from './sessions';
export * from './users';
export {
  authDependenciesFromEnv,
  runtimeAuthDeps,
  resetRuntimeAuthDeps,
  type AuthEnvironment,
} from './runtime';
