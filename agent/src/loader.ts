/**
 * `@lookout/agent/loader`: the async loader snippet. It lives in protocol/ because the collector
 * prints the same snippet in its dashboard's install instructions.
 */
export { LOADER_METHODS, loaderSnippet } from '../../protocol/loader-snippet.js';
