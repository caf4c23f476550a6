// The page-thread engine, in a module of its own that the app loads on first use.
export { exportStream } from 'sluice';
