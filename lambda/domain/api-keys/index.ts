export * from './api-keys';
export * from './cleanup';
export * from './key-gateway';
export * from './local-key-gateway';
export * from './schemas';
export * from './standby';
export * from './store';
