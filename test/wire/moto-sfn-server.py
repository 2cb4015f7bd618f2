"""moto_server with two corrections to moto 5.2.1's Step Functions interpreter, for
test/wire/long-run-moto.wire.test.ts. Same arguments as moto_server (-H host -p port).

Both corrections make the interpreter do what AWS does; neither touches the definition under
test. Paths are under site-packages/moto/stepfunctions/parser/asl/component/, with state_task/
short for state/exec/state_task/.

1. Error names of aws-sdk tasks. state_task/service/state_task_service_aws_sdk.py:34 maps only
   dynamodb and sfn to their Step Functions spelling; every other service keeps its lower-case API
   name (state_task_service_aws_sdk.py:53-62), so SageMaker's errors would arrive as
   `sagemaker.ResourceLimitExceededException` instead of AWS's `SageMaker.…`. The entries added
   here are the service names as the AWS SDK integrations page spells them. The rest of the rule
   stays moto's own (state_task_service_aws_sdk.py:65-70): an error the botocore model declares
   keeps its name, any other code becomes `<Service>.<Service>Exception`.

2. A Task without `Parameters`. AWS passes the state's effective input (after InputPath) to the
   API; moto starts from `{}` and fills it only from Parameters (state_task/state_task.py:51-56),
   so CreateJob (`InputPath: $.request`, no Parameters) would send an empty request. The
   effective input is on top of the interpreter's stack at that point (state/state.py:198-203;
   a Parameters path reads it there too: common/string/string_expression.py:74).

The rest of moto's behaviour is left as it is; the test works around it where it must (TZ=UTC,
one region per execution): see the test file's header.
"""
import copy
import sys

from moto.server import main
from moto.stepfunctions.parser.asl.component.state.exec.state_task import state_task
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_aws_sdk as aws_sdk,
)

aws_sdk._SERVICE_ERROR_NAMES.update({"sagemaker": "SageMaker", "cloudformation": "CloudFormation"})

_eval_parameters = state_task.StateTask._eval_parameters


def _eval_parameters_with_input(self, env):
    if self.parargs is None:
        return copy.deepcopy(env.stack[-1])
    return _eval_parameters(self, env)


state_task.StateTask._eval_parameters = _eval_parameters_with_input

if __name__ == "__main__":
    sys.exit(main())
