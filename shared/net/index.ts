export { isLoopbackHost } from './loopback.ts';
