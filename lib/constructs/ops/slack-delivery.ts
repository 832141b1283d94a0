import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { LoggingLevel, SlackChannelConfiguration } from 'aws-cdk-lib/aws-chatbot';
import { Peer, Port, SecurityGroup, type IVpc, type SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { ManagedPolicy, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { CfnSubscription, Topic, type ITopic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ALARM_SEVERITIES, type AlarmSeverity, type AlarmsConfig } from '../../config';
import { RampartFunction } from '../compute/rampart-function';

export interface SlackDeliveryProps {
  readonly environment: string;
  readonly alarms: AlarmsConfig;
  /** The topics of this region, subscribed directly. */
  readonly topics: Readonly<Record<AlarmSeverity, ITopic>>;
  /**
   * Topics in other regions (us-east-1), by ARN: subscribed cross-region and added to Chatbot.
   * @default - none
   */
  readonly remoteTopicArns?: Readonly<Record<AlarmSeverity, string>>;
  /** Key of the topics; also encrypts the dead-letter queue and the notifier's logs. */
  readonly key: IKey;
  /**
   * Where the notifier runs: its VPC and subnets (Slack through the NAT gateway, Secrets Manager
   * through its endpoint).
   * @default - outside any VPC: for a region whose network has no route to the internet (staging's
   * isolated DR restore network); the notifier reads only the webhook secret and posts alarm text
   */
  readonly network?: { readonly vpc: IVpc; readonly subnets: SubnetSelection };
  readonly logRetentionDays: number;
  /**
   * What happens to the notifier's log group when it is deleted.
   * @default RemovalPolicy.DESTROY
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Whether to add AWS Chatbot channels when `alarms.chatbot` is configured. A second region's
   * delivery (the standby in drRegion) leaves them to the primary: Chatbot configurations are
   * account-wide and its API is offered in a few regions only.
   * @default true
   */
  readonly chatbot?: boolean;
}

/**
 * Slack delivery for the alarm topics: the webhook notifier (a function subscribed to every
 * topic; its failed events go to an encrypted dead-letter queue after Lambda's two async
 * retries) and, when the workspace and channels are configured, one AWS Chatbot channel per
 * severity with read-only guardrails.
 */
export class SlackDelivery extends Construct {
  public readonly notifier: RampartFunction;
  public readonly deadLetterQueue: Queue;
  public readonly deadLetterRetention = Duration.days(14);
  public readonly chatbotChannels: SlackChannelConfiguration[] = [];

  constructor(scope: Construct, id: string, props: SlackDeliveryProps) {
    super(scope, id);
    const { alarms, topics, key } = props;

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: key,
      enforceSSL: true,
      retentionPeriod: this.deadLetterRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is the notifier function's dead-letter queue (Lambda async on-failure); it has no DLQ of its own.",
    });

    let securityGroup: SecurityGroup | undefined;
    if (props.network) {
      securityGroup = new SecurityGroup(this, 'SecurityGroup', {
        vpc: props.network.vpc,
        description: 'Slack notifier: HTTPS out only (Slack through NAT, Secrets Manager endpoint)',
        allowAllOutbound: false,
      });
      securityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS to Slack and AWS APIs');
    }

    const webhook = Secret.fromSecretNameV2(this, 'Webhook', alarms.slackWebhookSecretName);
    const topicSeverities: Record<string, AlarmSeverity> = {};
    for (const severity of ALARM_SEVERITIES) {
      topicSeverities[topics[severity].topicArn] = severity;
      if (props.remoteTopicArns) topicSeverities[props.remoteTopicArns[severity]] = severity;
    }

    this.notifier = new RampartFunction(this, 'Notifier', {
      entry: 'slack-notifier/handler.ts',
      description: 'Posts alarm and event notifications from the alarm topics to Slack',
      serviceName: 'slack-notifier',
      logRetentionDays: props.logRetentionDays,
      logEncryptionKey: key,
      logRemovalPolicy: props.logRemovalPolicy,
      vpc: props.network?.vpc,
      vpcSubnets: props.network?.subnets,
      securityGroups: securityGroup ? [securityGroup] : undefined,
      reservedConcurrentExecutions: 5,
      timeout: Duration.seconds(30),
      memorySize: 256,
      invocation: 'asynchronous',
      environment: {
        RAMPART_ENVIRONMENT: props.environment,
        DOCS_BASE_URL: alarms.docsBaseUrl,
        SLACK_WEBHOOK_SECRET_ID: alarms.slackWebhookSecretName,
        TOPIC_SEVERITIES: Stack.of(this).toJsonString(topicSeverities),
        ROUTE_ALL_TO_ONE_CHANNEL: String(alarms.routeAllToOneChannel),
      },
      overrides: { deadLetterQueue: this.deadLetterQueue, retryAttempts: 2, maxEventAge: Duration.hours(1) },
    });
    if (!props.network) {
      Validations.of(this.notifier).acknowledge({
        id: 'NIST.800.53.R5-LambdaInsideVPC',
        reason:
          'Outside any VPC on purpose: the network of this region has no route to the internet (no NAT gateway) and the notifier must reach Slack. It holds no data access: its role reads only the Slack webhook secret, and it posts alarm and event text from the alarm topics to Slack.',
      });
    }
    webhook.grantRead(this.notifier);
    // Lambda sends failed events to the dead-letter queue as the function's role: an SSE-KMS queue
    // also needs the key (CDK grants only sqs:SendMessage).
    key.grant(this.notifier, 'kms:GenerateDataKey', 'kms:Decrypt');
    Validations.of(this.notifier.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${alarms.slackWebhookSecretName}-??????]`,
      reason:
        'The webhook secret is created out of band and referenced by name; Secrets Manager appends a random 6-character suffix to its ARN, matched by -??????.',
    });
    this.notifier.addToRolePolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` },
        },
      }),
    );
    Validations.of(this.notifier.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        "The webhook secret's key is chosen when the secret is created out of band; decryption is limited to calls made through Secrets Manager in this region (kms:ViaService).",
    });

    for (const severity of ALARM_SEVERITIES) {
      topics[severity].addSubscription(new LambdaSubscription(this.notifier));
    }
    if (props.remoteTopicArns) {
      for (const severity of ALARM_SEVERITIES)
        this.subscribeRemote(severity, props.remoteTopicArns[severity]);
    }

    if (alarms.chatbot && props.chatbot !== false) this.addChatbot(props, alarms.chatbot);
  }

  /** Subscribes the notifier to a topic in another region (SNS supports cross-region Lambda subscriptions). */
  private subscribeRemote(severity: AlarmSeverity, topicArn: string): void {
    const id = `${severity[0].toUpperCase()}${severity.slice(1)}Global`;
    this.notifier.addPermission(`${id}Invoke`, {
      principal: new ServicePrincipal('sns.amazonaws.com'),
      sourceArn: topicArn,
    });
    new CfnSubscription(this, `${id}Subscription`, {
      topicArn,
      protocol: 'lambda',
      endpoint: this.notifier.functionArn,
      region: topicArn.split(':')[3],
    });
  }

  private addChatbot(props: SlackDeliveryProps, chatbot: NonNullable<AlarmsConfig['chatbot']>): void {
    const allTopics = (severity: AlarmSeverity): ITopic[] => {
      const topics: ITopic[] = [props.topics[severity]];
      if (props.remoteTopicArns) {
        topics.push(Topic.fromTopicArn(this, `Remote${severity}`, props.remoteTopicArns[severity]));
      }
      return topics;
    };
    const channels: [string, string, AlarmSeverity[]][] = props.alarms.routeAllToOneChannel
      ? [['all', chatbot.channels.warning, [...ALARM_SEVERITIES]]]
      : ALARM_SEVERITIES.map((severity) => [severity, chatbot.channels[severity], [severity]]);
    for (const [name, channelId, severities] of channels) {
      const channel = new SlackChannelConfiguration(this, `Chatbot${name[0].toUpperCase()}${name.slice(1)}`, {
        slackChannelConfigurationName: `rampart-${props.environment}-${name}`,
        slackWorkspaceId: chatbot.workspaceId,
        slackChannelId: channelId,
        notificationTopics: severities.flatMap(allTopics),
        loggingLevel: LoggingLevel.ERROR,
        guardrailPolicies: [ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess')],
        userRoleRequired: true,
      });
      this.chatbotChannels.push(channel);
    }
  }
}
