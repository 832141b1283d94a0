export * from './projects';
export * from './schemas';
