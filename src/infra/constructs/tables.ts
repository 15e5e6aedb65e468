import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { acknowledge } from '../acknowledge.ts';
import { pascal } from '../naming.ts';

export interface TablesProps {
  readonly names: readonly string[];
}

/**
 * The app's DynamoDB tables: on demand, encrypted with DynamoDB's AWS managed key (not the app
 * key, see below), point-in-time recovery on, kept on delete.
 */
export class Tables extends Construct {
  public readonly tables: Readonly<Record<string, dynamodb.Table>>;

  constructor(scope: Construct, id: string, props: TablesProps) {
    super(scope, id);
    const tables: Record<string, dynamodb.Table> = {};
    for (const name of props.names) {
      const table = new dynamodb.Table(this, pascal(name), {
        partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
        sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        // The AWS managed key: the app key would need kms:ReEncrypt*/GenerateDataKey* wildcards in task roles.
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const reason =
        'Point-in-time recovery (35 days) is this table backup; an AWS Backup plan would duplicate it.';
      acknowledge(table, {
        'NIST.800.53.R5-DynamoDBInBackupPlan': reason,
        'HIPAA.Security-DynamoDBInBackupPlan': reason,
        'PCI.DSS.321-DynamoDBInBackupPlan': reason,
      });
      tables[name] = table;
    }
    this.tables = tables;
  }
}
