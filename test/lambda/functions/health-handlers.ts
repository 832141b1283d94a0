// Imported after the test database is up: the handlers read DB_* at first use.
export { handler as live } from '../../../lambda/functions/health/handler';
export { handler as ready } from '../../../lambda/functions/health-ready/handler';
export { handler as details } from '../../../lambda/functions/health-details/handler';
