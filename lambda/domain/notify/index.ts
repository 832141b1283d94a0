export * from './event-alerts';
export * from './messages';
export * from './notifier';
export * from './render';
export * from './slack-webhook';
