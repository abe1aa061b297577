export { BadRequestError } from './errors.ts';
export { requestShape } from './requestShape.ts';
