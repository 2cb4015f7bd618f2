/**
 * An error that reaches CloudFormation as a single line.
 *
 * CloudFormation rejects a custom resource response over 4096 bytes. The Provider framework
 * puts the error message AND the stack trace into the response's Reason, so this error keeps
 * its message on one line and carries no trace: the Reason stays well under the cap even with
 * SageMaker's longest (1024-character) failure reason.
 */
export class DeploymentError extends Error {
  constructor(message: string) {
    super(message.replace(/\s+/g, ' ').trim());
    this.name = 'DeploymentError';
    this.stack = `${this.name}: ${this.message}`;
  }
}

/** Where SageMaker writes a compilation job's logs. */
export function logsLocation(jobName: string): string {
  return `Logs: CloudWatch log group /aws/sagemaker/CompilationJobs, log stream ${jobName}.`;
}
