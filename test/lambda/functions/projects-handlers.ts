// Imported after the test database is up: the handlers read DB_* at first use.
export { handler as create } from '../../../lambda/functions/projects-create/handler';
export { handler as get } from '../../../lambda/functions/projects-get/handler';
export { handler as list } from '../../../lambda/functions/projects-list/handler';
export { handler as update } from '../../../lambda/functions/projects-update/handler';
export { handler as remove } from '../../../lambda/functions/projects-delete/handler';
