// Loader hooks of module-trace.mjs: tells the main thread the URL of every ES module loaded.
let port;
export function initialize(data) {
  port = data.port;
}
export async function load(url, context, next) {
  port.postMessage(url);
  return next(url, context);
}
