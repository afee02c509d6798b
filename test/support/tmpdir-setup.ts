export { setup as default } from './private-tmpdir';
