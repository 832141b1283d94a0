import { Duration, Stack } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  TextWidget,
  type IAlarm,
  type IMetric,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';

/** A titled row of graphs. */
export interface DashboardSection {
  readonly title: string;
  readonly graphs: readonly {
    readonly title: string;
    readonly left: readonly IMetric[];
    readonly right?: readonly IMetric[];
  }[];
}

export interface OpsDashboardProps {
  /** Dashboard name, e.g. `rampart-prod-ops` (part of the URL in every alarm description). */
  readonly dashboardName: string;
  readonly sections: readonly DashboardSection[];
  /** Alarms shown in the status widgets (100 per widget). */
  readonly alarms: readonly IAlarm[];
}

/** The console URL of a dashboard (written into alarm descriptions before the dashboard exists). */
export function dashboardUrl(region: string, dashboardName: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${dashboardName}`;
}

/** Golden signals per section plus alarm status widgets. */
export class OpsDashboard extends Construct {
  public readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OpsDashboardProps) {
    super(scope, id);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    const alarmRows: IWidget[] = [];
    for (let start = 0; start < props.alarms.length; start += 100) {
      alarmRows.push(
        new AlarmStatusWidget({
          title: `Alarms ${start + 1}-${Math.min(start + 100, props.alarms.length)}`,
          alarms: props.alarms.slice(start, start + 100),
          width: 24,
          height: 6,
        }),
      );
    }
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# ${props.dashboardName}\nRunbooks: \`runbooks/alarms/\`. Region ${Stack.of(this).region}.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(...alarmRows);
    for (const section of props.sections) {
      this.dashboard.addWidgets(new TextWidget({ markdown: `## ${section.title}`, width: 24, height: 1 }));
      const widgets = section.graphs.map(
        (graph) =>
          new GraphWidget({
            title: graph.title,
            left: [...graph.left],
            right: graph.right ? [...graph.right] : undefined,
            width: 8,
            height: 6,
          }),
      );
      for (let start = 0; start < widgets.length; start += 3)
        this.dashboard.addWidgets(...widgets.slice(start, start + 3));
    }
  }
}
