import type { MiddlewareObj } from '@middy/core';
import { describeRecordProblems, type FieldKind } from '../contracts/index.ts';
import { BadRequestError } from './errors.ts';

type RequiredFields = Readonly<Record<string, FieldKind>>;

/**
 * Rejects a request whose records lack the contract's fields before the handler runs, so a
 * hand-made `osls invoke` gets "records[3].payload must be a string" instead of a TypeError.
 */
function requestShape<TEvent, TResult>(functionName: string, required: RequiredFields): MiddlewareObj<TEvent, TResult> {
  if (functionName === '' || Object.keys(required).length === 0) {
    throw new Error('requestShape: functionName and at least one required field are needed');
  }
  const requestShapeBefore = (request: { event: TEvent }): void => {
    const problems = describeRecordProblems(request.event, required);
    if (problems.length > 0) throw new BadRequestError(functionName, problems);
  };
  return { before: requestShapeBefore };
}

export { requestShape };
