export { teardown as default } from './private-tmpdir';
