import { biggestItems, budgetExcess, usd, type Estimate } from './estimate';

/** The JSON `npm run cost -- --json` prints: per-stack, per-service and total figures, and every item. */
export function estimateJson(result: Estimate, monthlyBudgetUsd: number): object {
  const cents = (n: number) => Math.round(n * 100) / 100;
  const money = <T extends { fixedUsd: number; trafficUsd: number; totalUsd?: number }>(line: T) => ({
    ...line,
    fixedUsd: cents(line.fixedUsd),
    trafficUsd: cents(line.trafficUsd),
    totalUsd: cents(line.totalUsd ?? line.fixedUsd + line.trafficUsd),
  });
  return {
    environment: result.environment,
    currency: result.currency,
    pricesReadOn: result.pricesReadOn,
    monthlyBudgetUsd,
    withinBudget: budgetExcess(result, monthlyBudgetUsd) === undefined,
    traffic: result.traffic,
    fixedUsd: cents(result.fixedUsd),
    trafficUsd: cents(result.trafficUsd),
    totalUsd: cents(result.totalUsd),
    biggest: biggestItems(result, 3).map(money),
    stacks: result.stacks.map((stack) => ({ ...money(stack), services: stack.services.map(money) })),
    services: result.services.map(money),
    items: result.items.map((item) => ({ ...item, fixedUsd: item.fixedUsd, trafficUsd: item.trafficUsd })),
  };
}

const column = (text: string, width: number) => text.padStart(width);

/** The table `npm run cost` prints. */
export function formatEstimate(result: Estimate, monthlyBudgetUsd: number): string {
  const rows: string[] = [];
  const row = (label: string, resources: string, fixed: number, traffic: number, total: number) =>
    rows.push(
      `${label.padEnd(44)}${column(resources, 6)}${column(usd(fixed), 13)}${column(usd(traffic), 13)}${column(usd(total), 13)}`,
    );
  rows.push(
    `Rampart ${result.environment}: estimated monthly cost in USD (prices read ${result.pricesReadOn}; traffic: ${result.traffic.requestsPerMonth.toLocaleString('en-US')} requests, ${result.traffic.monthlyActiveUsers.toLocaleString('en-US')} monthly active users)`,
    '',
    `${'stack / service'.padEnd(44)}${column('res.', 6)}${column('fixed', 13)}${column('traffic', 13)}${column('total', 13)}`,
  );
  for (const stack of result.stacks) {
    row(`${stack.stack} (${stack.region})`, '', stack.fixedUsd, stack.trafficUsd, stack.totalUsd);
    for (const line of stack.services.filter((s) => s.totalUsd >= 0.005)) {
      row(`  ${line.service}`, String(line.resources), line.fixedUsd, line.trafficUsd, line.totalUsd);
    }
  }
  rows.push('', 'By service:');
  for (const line of result.services.filter((s) => s.totalUsd >= 0.005)) {
    row(`  ${line.service}`, String(line.resources), line.fixedUsd, line.trafficUsd, line.totalUsd);
  }
  rows.push('');
  row('Total', '', result.fixedUsd, result.trafficUsd, result.totalUsd);
  const excess = budgetExcess(result, monthlyBudgetUsd);
  rows.push(
    '',
    excess ?? `Within the budget of ${usd(monthlyBudgetUsd)} a month (cost.monthlyBudgetUsd).`,
    `Biggest: ${biggestItems(result, 3)
      .map((item) => `${item.stack} ${item.service} ${usd(item.totalUsd)}`)
      .join('; ')}`,
  );
  const unconfirmed = result.items.filter((item) => item.unconfirmedPrice);
  if (unconfirmed.length > 0) {
    const share = unconfirmed.reduce((sum, item) => sum + item.fixedUsd + item.trafficUsd, 0);
    rows.push(
      `${usd(share)} of it uses prices marked unconfirmed in lib/cost/prices.ts (${[...new Set(unconfirmed.map((item) => item.service))].join(', ')}).`,
    );
  }
  return rows.join('\n');
}

/** README's table: each environment's estimate, its budget and its three biggest items. */
export function readmeCostTable(environments: readonly { estimate: Estimate; budgetUsd: number }[]): string {
  const whole = (amount: number) => `$${Math.round(amount).toLocaleString('en-US')}`;
  const rows = environments.map(({ estimate, budgetUsd }) => {
    const biggest = biggestItems(estimate, 3)
      .map(
        (item) =>
          `${item.service} (${item.stack?.replace(`Rampart-${estimate.environment}-`, '')}) ${whole(item.totalUsd)}`,
      )
      .join(', ');
    return `| ${estimate.environment} | ${whole(estimate.fixedUsd)} | ${whole(estimate.trafficUsd)} | ${whole(estimate.totalUsd)} | ${whole(budgetUsd)} | ${biggest} |`;
  });
  return [
    '| environment | idle | traffic | total a month | budget | three biggest items |',
    '| ----------- | ---- | ------- | ------------- | ------ | ------------------- |',
    ...rows,
  ].join('\n');
}
