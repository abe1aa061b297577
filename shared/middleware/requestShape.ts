import type { MiddlewareObj } from '@middy/core';
import { describeRecordProblems, type FieldKind } from '../contracts/index.ts';
import { BadRequestError } from './errors.ts';

type RequiredFields = Readonly<Record<string, FieldKind>>;

/**
 * Rejects a request whose records lack the contract's fields before the handler runs, so a
 * hand-made `osls invoke` gets "records[3].payload must be a string" instead of a TypeError.
 * `required` is the fields, or picks them from the request when one function takes several kinds.
 */
function requestShape<TEvent, TResult>(
  functionName: string,
  required: RequiredFields | ((request: unknown) => RequiredFields),
): MiddlewareObj<TEvent, TResult> {
  if (functionName === '' || (typeof required !== 'function' && Object.keys(required).length === 0)) {
    throw new Error('requestShape: functionName and at least one required field are needed');
  }
  const requestShapeBefore = (request: { event: TEvent }): void => {
    const problems = describeRecordProblems(request.event, typeof required === 'function' ? required(request.event) : required);
    if (problems.length > 0) throw new BadRequestError(functionName, problems);
  };
  return { before: requestShapeBefore };
}

export { requestShape };
