// The reference for `npm run bench check`: the smallest app a CDK user writes for one service behind
// a load balancer (aws-ecs-patterns), synthesized with App.synth as `cdk synth` does it, in the same
// process style as berth (node with tsx). `node --import tsx bench/reference/ecs-patterns-app.ts OUTDIR`
import { App, Stack } from 'aws-cdk-lib';
import { ContainerImage } from 'aws-cdk-lib/aws-ecs';
import { ApplicationLoadBalancedFargateService } from 'aws-cdk-lib/aws-ecs-patterns';

const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, 'Reference');
new ApplicationLoadBalancedFargateService(stack, 'Backend', {
  taskImageOptions: {
    image: ContainerImage.fromRegistry('public.ecr.aws/docker/library/nginx:stable'),
    containerPort: 80,
  },
  cpu: 256,
  memoryLimitMiB: 512,
  desiredCount: 1,
});
app.synth();
