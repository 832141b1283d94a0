export * from './dependencies';
export * from './cognito-errors';
export * from './secret-hash';
export * from './sessions';
export * from './users';
