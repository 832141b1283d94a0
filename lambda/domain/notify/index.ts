export * from './event-alerts';
export * from './messages';
export * from './notifier';
export * from './render';
export * from './runtime';
export * from './slack-webhook';
