import { getShopCustomer } from '../../domain/shop/customers';
import { shopRoutes as routes } from '../../routes/shop';
import { runtimeReadDeps } from '../../runtime/reads';
import { api } from '../../shared/http/api';

export const handler = api(routes.getShopCustomer, async (req) => {
  const customer = await getShopCustomer(runtimeReadDeps(), req.path.id, { signal: req.signal });
  return { status: 200, body: customer };
});
